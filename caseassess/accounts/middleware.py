"""Session limits and two-factor enforcement (docs/security.md).

SessionLimitMiddleware ends a session SESSION_ABSOLUTE_SECONDS after sign-in, however
active it has been (the idle limit, SESSION_COOKIE_AGE, is the session store's expiry,
refreshed on every request). TwoFactorMiddleware sends a user who has signed in with a
password but not yet entered a TOTP code to the code page, or to the set-up page when
they have no authenticator yet; nothing else is reachable until then."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device

SIGNED_IN_AT = "signed_in_at"


def absolute_remaining(request: HttpRequest) -> int | None:
    started = request.session.get(SIGNED_IN_AT)
    if not isinstance(started, int):
        return None
    return int(settings.SESSION_ABSOLUTE_SECONDS - (time.time() - started))


class SessionLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            remaining = absolute_remaining(request)
            if remaining is None or remaining <= 0:
                # Ends the session on the server; the view then sees an anonymous user
                # (and a POST is kept for after sign-in by login_required_keep_post).
                logout(request)
                messages.info(request, "You have been signed out because your session reached its 12-hour limit. Sign in again.")
        return self.get_response(request)


def two_factor_exempt(path: str) -> bool:
    exempt = (
        reverse("accounts:sign_in"),
        reverse("accounts:sign_out"),
        reverse("accounts:two_factor"),
        reverse("accounts:two_factor_setup"),
        reverse("accounts:welcome", kwargs={"token": "x"})[:-2],  # the one-time link page
        reverse("healthz"),
        settings.STATIC_URL,
    )
    return path.startswith(exempt)


def two_factor_url(request: HttpRequest, next_url: str) -> str:
    name = "accounts:two_factor" if user_has_device(request.user) else "accounts:two_factor_setup"
    return reverse(name) + ("?" + urlencode({"next": next_url}) if next_url else "")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.CASEASSESS_REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not two_factor_exempt(request.path)
        ):
            target = two_factor_url(request, request.get_full_path() if request.method == "GET" else "")
            if request.headers.get("HX-Request"):
                resp = HttpResponse("Enter the code from your authenticator app to continue.", status=401)
                resp["HX-Redirect"] = target
                return resp
            return HttpResponseRedirect(target)
        return self.get_response(request)
