"""Pages where a person makes, sees and revokes their own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caseassess.api.models import ApiToken, Scope
from caseassess.api.services import EXPIRY_DAYS, TokenError, token_create, token_revoke


def _date(value: object) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""  # type: ignore[attr-defined]


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    form = {"name": "", "scopes": [Scope.FINDINGS.value], "days": "90"}
    secret = None
    if request.method == "POST":
        form = {"name": request.POST.get("name", ""), "scopes": request.POST.getlist("scopes"),
                "days": request.POST.get("days", "")}
        try:
            days = int(form["days"]) if str(form["days"]).isdigit() else 0
            _, secret = token_create(user=request.user, name=str(form["name"]), scopes=list(form["scopes"]), days=days)
        except TokenError as exc:
            message = str(exc)
            field = "name" if "name" in message else ("scopes" if "may do" in message else "days")
            errors[field] = message
        else:
            form = {"name": "", "scopes": [Scope.FINDINGS.value], "days": "90"}
    rows = [
        {"token": t, "created": _date(t.created_at), "expires": _date(t.expires_at), "last_used": _date(t.last_used_at),
         "state": "Revoked" if t.revoked_at else ("Expired" if t.expires_at <= _now() else "Active")}
        for t in ApiToken.objects.filter(user=request.user)
    ]
    response = render(request, "api/tokens.html", {
        "title": "API tokens", "rows": rows, "scopes": Scope.choices, "expiry_days": EXPIRY_DAYS, "form": form,
        "errors": errors, "form_has_errors": bool(errors), "secret": secret,
    }, status=400 if errors else 200)
    response["Cache-Control"] = "no-store"
    return response


def _now():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return timezone.now()


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("No such token")
    token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens:tokens")
