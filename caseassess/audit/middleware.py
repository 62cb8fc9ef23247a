"""Refused attempts on id routes are logged (docs/security.md, item 5 of issue 14).

Every route with an id in its URL answers 404 to anyone outside the inspection (ids are
not disclosed). Those refusals are recorded as ``AccessLog`` rows of kind ``refused``
with the user and the path (and logged on ``caseassess.audit``), so an insider walking ids
leaves a trace. At most ``REFUSED_PER_WINDOW`` rows per user per ``WINDOW``: past that,
one warning says further refusals are not recorded, so the walk cannot fill the table."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from caseassess.audit.models import AccessLog

log = logging.getLogger("caseassess.audit")

REFUSED_PER_WINDOW = 30
WINDOW = dt.timedelta(minutes=10)


def _is_id_route(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and any(isinstance(v, int) for v in match.kwargs.values()))


def refused_log(request: HttpRequest) -> None:
    user = getattr(request, "user", None)
    user = user if user is not None and user.is_authenticated else None
    recent = AccessLog.objects.filter(kind="refused", user=user, at__gte=timezone.now() - WINDOW).count()
    who = user.get_username() if user else "anonymous"
    route = request.resolver_match.view_name if request.resolver_match else ""
    if recent >= REFUSED_PER_WINDOW:
        if recent == REFUSED_PER_WINDOW:
            log.warning("refused id route: %s reached %d refusals in %s; further ones are not recorded", who, recent, WINDOW)
            AccessLog.objects.create(user=user, kind="refused", path=f"(limit reached; not recording) {request.path}"[:300])
        return
    log.warning("refused id route: user=%s route=%s %s %s", who, route, request.method, request.path)
    AccessLog.objects.create(user=user, kind="refused", path=f"{request.method} {request.path}"[:300])


class RefusedAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and _is_id_route(request):
            refused_log(request)
        return response
