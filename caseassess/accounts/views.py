from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from caseassess.accounts.forms import SignInForm
from caseassess.audit.services import audit_record

GENERIC_ERROR = "Enter a correct username and password"


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = None
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        user = None
        if form.is_valid():
            user = authenticate(
                request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        if user is None:
            # One message for every failure: no user enumeration.
            error = GENERIC_ERROR
        else:
            login(request, user)  # rotates the session key
            request.session["signed_in_at"] = int(__import__("time").time())
            audit_record(actor=user, action="sign_in", entity="user", entity_id=user.pk)
            if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                return redirect(next_url)
            return redirect("inspections:home")
    return render(
        request,
        "accounts/sign_in.html",
        {"title": "Sign in", "form": form, "error": error, "next": next_url, "form_has_errors": bool(error)},
        status=200 if error is None else 400,
    )


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)  # flushes the server-side session
        return redirect("accounts:sign_in")
    return render(request, "accounts/sign_out.html", {"title": "Sign out"})
