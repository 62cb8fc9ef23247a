"""The audit log viewer for administrators: filter, page, download as CSV. Every look at
it is itself audited (what was asked for), as is every download."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from caseassess.accounts.views_users import require_administrator
from caseassess.audit.forms import AuditFilterForm
from caseassess.audit.selectors import LOGS, audit_csv_rows, audit_events, audit_filter_choices, audit_rows
from caseassess.audit.services import audit_record

PER_PAGE = 50
FILTER_KEYS = ("log", "person", "inspection", "case", "action", "from-day", "from-month", "from-year", "to-day", "to-month", "to-year")


def _query(request: HttpRequest, **extra: Any) -> str:
    params = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    params.update({k: v for k, v in extra.items() if v})
    return urlencode(params)


def _selects(request: HttpRequest, choices: dict[str, list[tuple[str, str]]]) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name, key, everyone in (("person", "people", "Everyone"), ("inspection", "inspections", "All inspections"), ("action", "actions", "All actions")):
        chosen = request.GET.get(name, "")
        out[name] = [{"value": "", "text": everyone}, *({"value": v, "text": t, "selected": v == chosen} for v, t in choices[key])]
    return out


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    require_administrator(request.user)
    log_name = request.GET.get("log") if request.GET.get("log") in LOGS else "changes"
    choices = audit_filter_choices(log_name)
    form = AuditFilterForm(request.GET, choices)
    page = None
    rows: list[Any] = []
    if form.ok:
        paginator = Paginator(audit_events(flt=form.filter), PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        rows = audit_rows(list(page.object_list))
        audit_record(actor=request.user, action="audit_view", entity="audit_log", new={**form.filter.as_record(), "page": page.number})
    pagination = None
    if page is not None and page.paginator.num_pages > 1:
        pagination = {
            "previous": {"href": "?" + _query(request, page=page.previous_page_number())} if page.has_previous() else None,
            "next": {"href": "?" + _query(request, page=page.next_page_number())} if page.has_next() else None,
            "items": [
                {"number": n, "href": "?" + _query(request, page=n), "current": n == page.number} if isinstance(n, int) else {"ellipsis": True}
                for n in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
            ],
        }
    return render(
        request,
        "audit/log.html",
        {
            "title": "Audit log", "form": form, "selects": _selects(request, choices), "rows": rows, "page": page, "pagination": pagination,
            "export_query": _query(request), "form_has_errors": not form.ok, "section_nav": "audit",
            "log": log_name, "logs": [{"key": k, "text": t, "href": "?log=" + k} for k, t in LOGS.items()],
        },
        status=200 if form.ok else 400,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def download_name(today: Any, log: str = "changes") -> str:
    return f"audit-log-{'record-views-' if log == 'views' else ''}{today:%Y-%m-%d}.csv"


def content_disposition(name: str) -> str:
    """RFC 6266: a plain ASCII filename for old clients and filename* (RFC 5987) for the rest."""
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace('"', "").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    require_administrator(request.user)
    form = AuditFilterForm(request.GET, audit_filter_choices(request.GET.get("log") if request.GET.get("log") in LOGS else "changes"))
    if not form.ok:
        return log(request)
    qs = audit_events(flt=form.filter)
    audit_record(actor=request.user, action="audit_export", entity="audit_log", new={**form.filter.as_record(), "rows": qs.count()})
    writer = csv.writer(_Echo())
    resp = StreamingHttpResponse((writer.writerow(r) for r in audit_csv_rows(qs)), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = content_disposition(download_name(timezone.localdate(), form.filter.log))
    resp["Cache-Control"] = "no-store"
    return resp
