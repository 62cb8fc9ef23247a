"""The administrator's user pages (GOV.UK Design System, not the Django admin), and the
one-time link page where an invited person sets a password before enrolling two-factor.

Every page here but ``welcome`` answers 404 to anyone who is not an administrator, like
the rest of the application (no disclosure that the page exists)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseassess.accounts import services
from caseassess.accounts.forms import RoleForm, SetPasswordForm, UserCreateForm
from caseassess.accounts.models import User
from caseassess.accounts.roles import ADMINISTRATOR, account_role_choices, account_role_label, default_account_role


def role_items(chosen: str) -> list[dict[str, Any]]:
    return [{"value": v, "text": label, "checked": v == chosen} for v, label in account_role_choices()]


def require_administrator(user: Any) -> None:
    if not (user.is_authenticated and user.role == ADMINISTRATOR):
        raise Http404("No such page")


def _user_or_404(pk: int) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404("No such account")
    return user


def _crumbs(user: User | None = None) -> list[dict[str, str]]:
    items = [{"text": "Users", "href": reverse("accounts:users")}]
    if user is not None:
        items.append({"text": user.get_full_name() or user.username, "href": reverse("accounts:user_detail", args=[user.pk])})
    return items


@dataclass(frozen=True)
class UserRow:
    user: User
    name: str
    role: str
    status: str
    status_colour: str
    last_sign_in: Any
    two_factor: bool


def _status(user: User, locked: bool) -> tuple[str, str]:
    if not user.is_active:
        return "Deactivated", "grey"
    if locked:
        return "Locked", "red"
    if not user.has_usable_password():
        return "Invited", "blue"
    return "Active", "green"


def _row(user: User, devices: set[int], locked: set[str]) -> UserRow:
    status, colour = _status(user, user.username in locked)
    return UserRow(user, user.get_full_name() or user.username, account_role_label(user.role), status, colour, user.last_login, user.pk in devices)


def users_rows() -> list[UserRow]:
    from axes.models import AccessAttempt
    from django.utils import timezone

    users = list(User.objects.order_by("-is_active", "username"))
    devices = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    locked = set(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since).values_list("username", flat=True)
    )
    return [_row(u, devices, locked) for u in users]


@login_required
def users(request: HttpRequest) -> HttpResponse:
    require_administrator(request.user)
    return render(request, "accounts/users.html", {"title": "Users", "rows": users_rows(), "section_nav": "users"})


def _link_page(request: HttpRequest, link: services.IssuedLink, heading: str) -> HttpResponse:
    resp = render(
        request,
        "accounts/user_link.html",
        {"title": heading, "heading": heading, "link": link, "link_url": request.build_absolute_uri(link.path), "breadcrumbs": _crumbs(link.user), "section_nav": "users"},
    )
    resp["Cache-Control"] = "no-store"
    return resp


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    require_administrator(request.user)
    form = UserCreateForm(request.POST or None, initial={"role": default_account_role()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            link = services.user_create(
                actor=request.user, username=d["username"], email=d["email"], role=d["role"], first_name=d["first_name"], last_name=d["last_name"]
            )
        except services.AccountError as exc:  # e.g. the same username taken a moment ago
            form.add_error(exc.field or "username", exc.message)
        else:
            return _link_page(request, link, "Account created")
    return render(
        request,
        "accounts/user_create.html",
        {"title": "Add a user", "form": form, "role_items": role_items(form.data.get("role", "") if form.is_bound else default_account_role()),
         "form_has_errors": bool(form.errors),
         "breadcrumbs": _crumbs(), "section_nav": "users"},
        status=400 if form.errors else 200,
    )


def _detail(request: HttpRequest, user: User, role_form: RoleForm | None = None, error: str = "", error_field: str = "role") -> HttpResponse:
    devices = set(TOTPDevice.objects.filter(user=user, confirmed=True).values_list("user_id", flat=True))
    locked = {user.username} if services.user_locked(user=user) else set()
    return render(
        request,
        "accounts/user_detail.html",
        {
            "title": user.get_full_name() or user.username, "row": _row(user, devices, locked), "role_items": role_items(user.role),
            "error": error, "error_field": error_field, "form_has_errors": bool(error), "is_self": user.pk == request.user.pk,
            "breadcrumbs": _crumbs(), "section_nav": "users",
        },
        status=400 if error else 200,
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_administrator(request.user)
    return _detail(request, _user_or_404(pk))


def _action(request: HttpRequest, pk: int) -> User:
    require_administrator(request.user)
    return _user_or_404(pk)


@login_required
@require_POST
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    user = _action(request, pk)
    form = RoleForm(request.POST)
    role = form.data.get("role", "")
    try:
        services.user_set_role(actor=request.user, user=user, role=role)
    except services.AccountError as exc:
        return _detail(request, user, error=exc.message, error_field="role")
    messages.success(request, f"{user.username} is now: {account_role_label(user.role)}")
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _action(request, pk)
    try:
        services.user_deactivate(actor=request.user, user=user)
    except services.AccountError as exc:
        return _detail(request, user, error=exc.message, error_field="deactivate")
    messages.success(request, f"{user.username} is deactivated: they can no longer sign in")
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _action(request, pk)
    services.user_reactivate(actor=request.user, user=user)
    messages.success(request, f"{user.username} can sign in again")
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@never_cache
@require_POST
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    user = _action(request, pk)
    try:
        link = services.user_reset_two_factor(actor=request.user, user=user)
    except services.AccountError as exc:
        return _detail(request, user, error=exc.message, error_field="reset")
    return _link_page(request, link, "Two-factor sign-in reset")


@login_required
@never_cache
@require_POST
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = _action(request, pk)
    if not user.is_active:
        return _detail(request, user, error="This account is deactivated: reactivate it first", error_field="invite")
    return _link_page(request, services.invitation_issue(user=user, actor=request.user), "New one-time link")


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = _action(request, pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, f"{user.username} can try to sign in again")
    return redirect("accounts:user_detail", pk=user.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link: set a password, then enrol the authenticator app."""
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return render(request, "accounts/welcome_expired.html", {"title": "This link has expired"}, status=410)
    form = SetPasswordForm(request.POST or None)
    error, field = "", ""
    if request.method == "POST":
        try:
            user = services.invitation_accept(invitation=invitation, password=form.data.get("password", ""), confirm=form.data.get("confirm", ""))
        except services.AccountError as exc:
            error, field = exc.message, exc.field
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["signed_in_at"] = int(time.time())
            messages.success(request, "Your password is set. Now set up your authenticator app.")
            return redirect("accounts:two_factor_setup" if settings.CASEASSESS_REQUIRE_2FA else "inspections:home")
    # The token is in the address: the site-wide Referrer-Policy (same-origin) keeps it from
    # other sites. "no-referrer" would make browsers send "Origin: null" and fail CSRF.
    return render(
        request,
        "accounts/welcome.html",
        {"title": "Set your password", "invited": invitation.user, "error": error, "field": field, "form_has_errors": bool(error)},
        status=400 if error else 200,
    )
