"""Answers kept after the session ended (docs/security.md, "Kept answers").

A form posted after the signed-in session ended (idle limit, 12-hour limit, or the CSRF
token rotated by a sign-in in another tab) is kept in the new session and offered back to
the same person after they sign in again. Only posts that carry the *kept-answers marker*
are kept: a signed, timestamped cookie naming the user, set on every signed-in request of
this browser and valid for ``KEPT_ANSWERS_WINDOW`` seconds after the last one. An anonymous
post without it stores nothing (no session row is created). Per session at most
``KEPT_MAX_FORMS`` forms and ``KEPT_MAX_BYTES`` bytes are kept. Kept answers belong to the
user named by the marker: nobody else is shown them, and another user's sign-in discards them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

logger = logging.getLogger(__name__)

PENDING_KEY = "pending_posts"
MARKER_COOKIE = "caseassess_kept"
PAGE_USER_FIELD = "page_user"
_SALT = "caseassess.kept-answers"


def window() -> int:
    return int(getattr(settings, "KEPT_ANSWERS_WINDOW", 4 * 60 * 60))


def max_forms() -> int:
    return int(getattr(settings, "KEPT_MAX_FORMS", 5))


def max_bytes() -> int:
    return int(getattr(settings, "KEPT_MAX_BYTES", 64 * 1024))


def marker_user(request: HttpRequest) -> int | None:
    """The user id in a valid, recent marker of this browser, or None."""
    raw = request.COOKIES.get(MARKER_COOKIE)
    if not raw:
        return None
    try:
        data = signing.TimestampSigner(salt=_SALT).unsign_object(raw, max_age=window())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    uid = data.get("u") if isinstance(data, dict) else None
    return uid if isinstance(uid, int) else None


def keep_post(request: HttpRequest) -> bool:
    """Keep this POST's fields for the user named by the marker; False when not kept."""
    uid = marker_user(request)
    if uid is None or request.method != "POST":
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk != uid:
        return False
    # The page names the person it was shown to: a page left open by one person and posted
    # after another signed in on this browser is never kept for the other.
    if request.POST.get(PAGE_USER_FIELD) != str(uid):
        return False
    data = {k: request.POST.getlist(k) for k in request.POST if k not in ("csrfmiddlewaretoken", "autosave", PAGE_USER_FIELD)}
    pending: dict[str, Any] = dict(request.session.get(PENDING_KEY) or {})
    # Replacing this page's earlier kept post never counts against the caps.
    pending.pop(request.path, None)
    pending = {p: e for p, e in pending.items() if isinstance(e, dict) and e.get("u") == uid}
    if len(pending) >= max_forms():
        return False
    pending[request.path] = {"u": uid, "t": int(time.time()), "data": data}
    if len(json.dumps(pending)) > max_bytes():
        return False
    request.session[PENDING_KEY] = pending
    return True


def take_pending(request: HttpRequest) -> dict[str, list[str]] | None:
    """This page's kept post, if it belongs to the signed-in user (then removed from the session)."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    entry = pending.get(request.path)
    if not isinstance(entry, dict):
        return None
    if entry.get("u") != request.user.pk:
        return None
    pending = dict(pending)
    pending.pop(request.path)
    request.session[PENDING_KEY] = pending
    data = entry.get("data")
    return data if isinstance(data, dict) else None


@receiver(user_logged_in)
def _discard_other_users_kept_answers(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A shared browser: the next person to sign in never sees the previous one's kept answers."""
    if request is None or not hasattr(request, "session"):
        return
    pending = request.session.get(PENDING_KEY)
    if pending:
        mine = {p: e for p, e in pending.items() if isinstance(e, dict) and e.get("u") == user.pk}
        if mine:
            request.session[PENDING_KEY] = mine
        else:
            del request.session[PENDING_KEY]


CLEAR_EVERY_SECONDS = 60 * 60
_last_cleared = {"at": 0.0}


def clear_expired_sessions(now: float | None = None) -> bool:
    """Delete expired sessions (Django's ``clearsessions``) at most once an hour per process,
    so ended sessions and what they kept never pile up even without a scheduled job."""
    from importlib import import_module

    now = time.time() if now is None else now
    if now - _last_cleared["at"] < CLEAR_EVERY_SECONDS:
        return False
    _last_cleared["at"] = now
    engine = import_module(settings.SESSION_ENGINE)
    try:
        engine.SessionStore.clear_expired()
    except DatabaseError:  # best effort: a request never fails because of the clean-up
        logger.warning("expired sessions could not be cleared", exc_info=True)
        return False
    return True


class KeptAnswersMarkerMiddleware:
    """Sets the marker on every signed-in response; removes it on sign-out (the person
    chose to leave: nothing they post afterwards is kept for them). Clears expired sessions
    once an hour."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        clear_expired_sessions()
        user = getattr(request, "user", None)
        if request.method == "POST" and request.path == reverse("accounts:sign_out"):
            response.delete_cookie(MARKER_COOKIE, samesite="Strict")
        elif user is not None and user.is_authenticated and (
            not settings.CASEASSESS_REQUIRE_2FA or getattr(user, "is_verified", lambda: False)()
        ):
            value = signing.TimestampSigner(salt=_SALT).sign_object({"u": user.pk})
            response.set_cookie(
                MARKER_COOKIE, value, max_age=window(), httponly=True, samesite="Strict",
                secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
            )
        return response
