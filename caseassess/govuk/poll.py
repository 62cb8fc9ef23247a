"""Pages that wait for background work ask again through htmx, never a timed meta refresh.

axe's ``meta-refresh`` rule (WCAG 2.2.1, timing adjustable) fails a page that reloads itself
on a timer the reader cannot stop, and a reload moves a screen reader back to the top.
A waiting page wraps what changes in the ``poll_region`` macro (``govuk/poll.html``): with
JavaScript, htmx asks the same address again every few seconds and swaps only that region
in, announced politely; without it, the page has a "Check now" link.

``PollMiddleware`` answers those polls: while the view still renders a waiting page (a
response with the region in it) it passes through; once the view answers anything else
(the findings, a finished job's page, a PDF download, a redirect, an error page), the poll
gets ``204`` with ``HX-Refresh`` so the browser loads the address as a whole page. A busy
server (502/503/504) passes through: htmx swaps nothing and asks again next time."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLL_ID = "app-poll"
_MARK = f'id="{POLL_ID}"'.encode()
_TRANSIENT = {502, 503, 504}


def is_poll(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Trigger") == POLL_ID


class PollMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_poll(request) or response.status_code in _TRANSIENT or response.has_header("HX-Redirect"):
            return response
        waiting = (response.status_code in (200, 202) and not response.streaming
                   and response.get("Content-Type", "").startswith("text/html") and _MARK in response.content)
        if waiting:
            return response
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
