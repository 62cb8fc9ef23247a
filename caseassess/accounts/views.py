import base64
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup

from caseassess.accounts.forms import SignInForm, TokenForm
from caseassess.accounts.middleware import absolute_remaining, two_factor_url
from caseassess.audit.services import audit_record

GENERIC_ERROR = "Enter a correct username and password"
LOCKED_ERROR = "Too many attempts to sign in. Wait 15 minutes, then try again"
CODE_MISSING = "Enter the 6-digit code from your authenticator app"
CODE_WRONG = "The code is not correct or has expired. Enter the latest 6-digit code from your authenticator app"
CODE_THROTTLED = "You have entered too many wrong codes. Wait a minute, then enter the latest code from your authenticator app"
DEVICE_NAME = "Authenticator app"


def _throttled(devices: Any) -> bool:
    """django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s ...)."""
    return any(not d.verify_is_allowed()[0] for d in devices)

def _safe_next(request: HttpRequest, next_url: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return ""

def _sign_in_page(request: HttpRequest, form: SignInForm, error: str | None, next_url: str, status: int) -> HttpResponse:
    return render(
        request,
        "accounts/sign_in.html",
        {"title": "Sign in", "form": form, "error": error, "next": next_url, "form_has_errors": bool(error)},
        status=status,
    )

@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = None
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        user = None
        if form.is_valid():
            # Unknown usernames still run the password hasher (ModelBackend), so an
            # unknown user and a wrong password take the same time and get the same answer.
            user = authenticate(
                request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        if user is None:
            # One message for every failure: no user enumeration.
            error = GENERIC_ERROR
        else:
            login(request, user)  # rotates the session key
            request.session["signed_in_at"] = int(time.time())
            audit_record(actor=user, action="sign_in", entity="user", entity_id=user.pk)
            target = _safe_next(request, next_url)
            if settings.CASEASSESS_REQUIRE_2FA:
                return redirect(two_factor_url(request, target))
            return redirect(target or "inspections:home")
    return _sign_in_page(request, form, error, next_url, 200 if error is None else 400)

def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes lockout: the sign-in page with one message, whether or not the user exists."""
    form = SignInForm(request.POST or None)
    return _sign_in_page(request, form, LOCKED_ERROR, request.POST.get("next", ""), 429)

@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)  # flushes the server-side session
        return redirect("accounts:sign_in")
    return render(request, "accounts/sign_out.html", {"title": "Sign out"})

def _verified(request: HttpRequest, device: Any, next_url: str) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # a new session key for the fully signed-in session
    audit_record(actor=request.user, action="two_factor", entity="user", entity_id=request.user.pk)
    return redirect(_safe_next(request, next_url) or "inspections:home")

@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enter the 6-digit code from your authenticator app."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect("inspections:home")
    if not user_has_device(request.user):
        return redirect(two_factor_url(request, request.GET.get("next", "")))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    error = None
    if request.method == "POST":
        token = TokenForm(request.POST).token()
        if token is None:
            error = CODE_MISSING
        elif _throttled(TOTPDevice.objects.devices_for_user(request.user, confirmed=True)):
            error = CODE_THROTTLED
        else:
            device = match_token(request.user, token)
            if device is not None:
                return _verified(request, device, next_url)
            error = CODE_WRONG
    return render(
        request,
        "accounts/two_factor.html",
        {"title": "Enter your security code", "error": error, "next": next_url, "form_has_errors": bool(error)},
        status=400 if error else 200,
    )

def _pending_device(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device

def _grouped(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))

@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up your authenticator app: only while the user has no confirmed device, so a
    stolen password alone can never register a new authenticator."""
    if user_has_device(request.user):
        return redirect(two_factor_url(request, request.GET.get("next", "")))
    device = _pending_device(request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    error = None
    if request.method == "POST":
        token = TokenForm(request.POST).token()
        if token is None:
            error = CODE_MISSING
        elif _throttled([device]):
            error = CODE_THROTTLED
        elif device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(actor=request.user, action="two_factor_set_up", entity="user", entity_id=request.user.pk)
            return _verified(request, device, next_url)
        else:
            error = CODE_WRONG
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    url = device.config_url
    qr = segno.make(url, error="m").svg_inline(scale=4, light="#fff", title="QR code of your authenticator key")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "title": "Set up your authenticator app",
            "secret": _grouped(secret),
            "otpauth_url": url,
            "qr_svg": Markup(qr),  # noqa: S704 - generated by segno from our own key
            "error": error,
            "next": next_url,
            "form_has_errors": bool(error),
        },
        status=400 if error else 200,
    )

@require_http_methods(["GET", "POST"])
def keep_alive(request: HttpRequest) -> HttpResponse:
    """"Stay signed in": any request refreshes the idle timer (SESSION_SAVE_EVERY_REQUEST).
    GET answers how long is left (JSON); the POST form works without JavaScript."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    data = {
        "signed_in": True,
        # For a page left open while its person signed in again in another tab (the CSRF
        # token rotated): autosave.js takes the new token only when the user is the same.
        "user": request.user.pk,
        "csrf_token": get_token(request),
        "idle_seconds": settings.SESSION_COOKIE_AGE,
        "absolute_remaining_seconds": absolute_remaining(request),
    }
    if request.method == "POST" and "application/json" not in request.headers.get("Accept", ""):
        return redirect(_safe_next(request, request.POST.get("next", "")) or "inspections:home")
    return JsonResponse(data)
