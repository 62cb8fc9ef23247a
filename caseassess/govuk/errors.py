"""GOV.UK-styled error pages (400, 403, 404, 500) and the CSRF failure page.

A failed CSRF check is almost always a tab left open while the person signed in again
elsewhere (the token rotates at sign-in) or after their session ended: it goes through the
same "your session ended – we kept what you typed" path as an expired session
(caseassess/assessments/kept.py). Autosave requests get JSON so the page can say so."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

logger = logging.getLogger(__name__)

# Pages whose posts can be kept and offered back after sign-in.
RESTORABLE = {"assessments:section", "assessments:case_details"}

PAGES = {
    400: ("There is a problem with the request", "The page could not use what your browser sent. Go back, reload the page and try again."),
    403: ("You cannot do that", "You do not have permission to see this page or make this change."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you followed a link, the page may have moved or you may not have access to it."),
    500: ("Sorry, there is a problem with the service", "Try again later. Any answers you saved are safe; answers not yet saved are kept in this browser."),
}


def is_autosave(request: HttpRequest) -> bool:
    return request.headers.get("X-Autosave") == "1"


def restorable(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path)
    except Resolver404:
        return False
    return f"{match.namespace}:{match.url_name}" in RESTORABLE


def _page(request: HttpRequest, status: int, **extra: Any) -> HttpResponse:
    title, body = PAGES[status]
    context = {"title": title, "heading": title, "body": body, "status": status, "home": reverse("inspections:home")}
    context.update(extra)
    try:
        return render(request, "govuk/error.html", context, status=status)
    except Exception:  # the error page itself must never fail: plain text as the last resort
        logger.exception("error page %s could not be rendered", status)
        return HttpResponse(f"{title}. {body}", status=status, content_type="text/plain; charset=utf-8")


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    from caseassess.govuk import busy

    if busy._busy_cause(exception):  # a session that could not be saved: the database is busy
        return busy.busy_response(request)
    return _page(request, 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    import sys

    from caseassess.govuk import busy

    if busy._busy_cause(sys.exc_info()[1]):
        return busy.busy_response(request)  # 503 "try again": autosave.js retries it
    if is_autosave(request):
        return JsonResponse({"state": "error"}, status=500)
    return _page(request, 500)


def session_ended_json(request: HttpRequest, *, kept: bool, status: int) -> JsonResponse:
    """An autosave that arrived without a usable signed-in session: the page says so."""
    sign_in = reverse("accounts:sign_in") + "?" + urlencode({"next": request.path})
    return JsonResponse({"state": "session_ended", "kept": kept, "sign_in": sign_in}, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    from caseassess.assessments.kept import keep_post

    kept = request.method == "POST" and restorable(request) and keep_post(request)
    if is_autosave(request):
        return session_ended_json(request, kept=kept, status=403)
    signed_in = request.user.is_authenticated
    sign_in = reverse("accounts:sign_in") + "?" + urlencode({"next": request.path})
    said = "We kept what you typed. " if kept else "What you sent from that page was not saved. "
    return _page(
        request, 403, title="Your session ended", heading="Your session ended",
        body=said + ("Go back to the page to check it and save it." if signed_in else "Sign in again, then check it and save it."),
        back=request.path if signed_in else sign_in, back_text="Go back to the page" if signed_in else "Sign in again",
    )
