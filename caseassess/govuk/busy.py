"""A database that is busy answers "try again", not a server error (docs/security.md, item 2).

SQLite lets one writer in at a time; a write that waits longer than its busy timeout
(``CASEASSESS_SQLITE_BUSY_SECONDS``, shorter than the server's request timeout) fails with
"database is locked". PostgreSQL's equivalent is a lock or statement timeout. Either way
nothing was written (the transaction rolled back), so the page says so, keeps the answers
in the browser (autosave) and asks the user to try again: status 503 with Retry-After.
``BusyDatabaseMiddleware`` turns the error into that page when a view raises it;
``server_error`` (handler500) and ``bad_request`` (handler400: a session that could not be
saved) do the same when it happens outside a view, and ``server_error`` shows the GOV.UK "problem with the service" page for any other error."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

log = logging.getLogger("caseassess.busy")

RETRY_AFTER_SECONDS = 10
_BUSY = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock", "deadlock detected")


def is_busy(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError) and any(s in str(exc).lower() for s in _BUSY)


def busy_response(request: HttpRequest) -> HttpResponse:
    log.warning("database busy: %s %s answered 503 (try again)", request.method, request.path)
    htmx = request.headers.get("HX-Request") == "true"
    template = "govuk/_busy_fragment.html" if htmx else "govuk/busy.html"
    response = render(request, template, {"title": "Sorry, the service is busy", "retry": RETRY_AFTER_SECONDS}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BusyDatabaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response(request) if is_busy(exception) else None


def _busy_cause(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if is_busy(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: Django reports a session it could not save as "session interrupted" (400);
    when a busy database is why, that is the busy page too."""
    if _busy_cause(exception):
        return busy_response(request)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the busy page for a busy database, else the GOV.UK error page."""
    if _busy_cause(sys.exc_info()[1]):
        return busy_response(request)
    try:
        return render(request, "govuk/500.html", {"title": "Sorry, there is a problem with the service"}, status=500)
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        return HttpResponse("Sorry, there is a problem with the service. Try again later.", status=500, content_type="text/plain")
