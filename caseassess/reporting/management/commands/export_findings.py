"""export_findings --programme NAME [--inspection NAME] [--by FIELD (--groups A,B | --versus-all V)
[--within FIELD=VALUE[,VALUE]]] --format json|csv|xlsx|pdf --output PATH"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string

from caseassess.audit.services import access_log
from caseassess.dbrouter import replica_reads
from caseassess.inspections.models import Inspection, Programme
from caseassess.reporting import exports
from caseassess.reporting.selectors import (
    STANDARD,
    Within,
    custom_dimension,
    dimension_within,
    findings_report,
    scope_instrument,
    within_check,
)
from caseassess.reporting.views import charts_for
from caseassess_core.instrument.schema import Instrument


def scope(programme: str, inspection: str | None) -> tuple[Programme, list[Inspection]]:
    """The programme and its inspections (or the one named), with clear errors."""
    prog = Programme.objects.filter(name=programme).first()
    if prog is None:
        names = ", ".join(Programme.objects.order_by("name").values_list("name", flat=True)[:20]) or "none"
        raise CommandError(f"no programme named {programme!r} (programmes: {names})")
    qs = prog.inspections.select_related("instrument").order_by("fieldwork_start")
    if inspection:
        found = list(qs.filter(name=inspection))
        if not found:
            names = ", ".join(qs.values_list("name", flat=True)) or "none"
            raise CommandError(f"no inspection named {inspection!r} in {prog.name} (inspections: {names})")
        return prog, found
    inspections = list(qs)
    if not inspections:
        raise CommandError(f"programme {prog.name!r} has no inspections")
    return prog, inspections


def check_field(ins: Instrument, field: str) -> list[str]:
    """The values of a case-detail field that findings can be grouped by."""
    try:
        fdef = ins.case_field(field)
    except KeyError:
        subgroups = ", ".join(f.id for f in ins.case_details if f.type.value == "single_choice" and ins.options_for(f))
        raise CommandError(f"--by {field!r} is not a case-detail field of {ins.id} (choose one of: {subgroups})") from None
    allowed = [o.value for o in ins.options_for(fdef)]
    if not allowed:
        raise CommandError(f"--by {field!r} has no listed values to group by; choose a single-choice case detail")
    return allowed


def check_values(ins: Instrument, field: str, spec: str, flag: str) -> None:
    """Every value of a --groups / --versus-all group must be an option of the field."""
    allowed = check_field(ins, field)
    for part in spec.split(","):
        for v in part.split("+"):
            if v.strip() not in allowed:
                raise CommandError(f"{flag}: {v.strip()!r} is not a value of {field} (values: {', '.join(allowed)})")


def parse_within(ins: Instrument, by: str, spec: str | None) -> Within | None:
    """--within FIELD=VALUE[,VALUE] -> the restriction, or a one-line error."""
    if spec is None:
        return None
    field, sep, values = spec.partition("=")
    if not sep or not field.strip():
        raise CommandError(f"--within {spec!r}: give FIELD=VALUE[,VALUE], e.g. sentence_type=licence_determinate,licence_indeterminate")
    try:
        return within_check(instrument=ins, by=by, field=field.strip(), values=values.split(","))
    except ValueError as exc:
        raise CommandError(f"--within: {exc}") from None


def pdf(html: str, *, base_url: str, warn: Any) -> bytes:
    """exports.to_pdf (tagged PDF/UA). WeasyPrint 66's tagging can fail on some page
    breaks ("Table wrapper without a table"); then the PDF is written untagged, with a warning."""
    try:
        return exports.to_pdf(html, base_url)
    except ValueError as exc:
        if "Table wrapper" not in str(exc):
            raise
        from weasyprint import HTML

        warn(f"warning: WeasyPrint could not tag this PDF for accessibility ({exc}); writing it untagged")
        return HTML(string=html, base_url=base_url).write_pdf()  # type: ignore[no-any-return]


class Command(BaseCommand):
    help = "Export findings (standard report, or one comparison with --by) as JSON, CSV, XLSX or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True)
        parser.add_argument("--inspection", help="only this inspection of the programme")
        parser.add_argument("--by", help="case-detail id to compare by, e.g. gender; without it the standard report")
        parser.add_argument("--groups", help="two groups of values, e.g. male,female or community_order+suspended_sentence_order,licence_determinate")
        parser.add_argument("--versus-all", dest="versus_all", help="one value (or A+B) compared with all cases, e.g. high+very_high")
        parser.add_argument("--within", metavar="FIELD=VALUE[,VALUE]",
                            help="with --by: only cases whose case detail FIELD is one of the values, e.g. sentence_type=licence_determinate,licence_indeterminate")
        parser.add_argument("--format", choices=["json", "csv", "xlsx", "pdf"], default="json")
        parser.add_argument("--output", required=True, help="file to write ('-' for standard output; json and csv only)")

    def handle(self, *args: Any, **opts: Any) -> None:
        with replica_reads():  # export reads may be served by the read replica (docs/deploy.md)
            self._handle(*args, **opts)

    def _handle(self, *args: Any, **opts: Any) -> None:
        prog, inspections = scope(opts["programme"], opts.get("inspection"))
        ins = scope_instrument(inspections)
        name = inspections[0].name if opts.get("inspection") else prog.name
        by, groups, versus = opts.get("by"), opts.get("groups"), opts.get("versus_all")
        if by:
            if groups and versus:
                raise CommandError("give either --groups A,B or --versus-all A, not both")
            if groups:
                check_values(ins, by, groups, "--groups")
            if versus:
                check_values(ins, by, versus, "--versus-all")
            if not groups and not versus:
                check_field(ins, by)
            within = parse_within(ins, by, opts.get("within"))
            try:
                dim = custom_dimension(field=by, groups=groups.split(",") if groups else None, versus_all=versus, instrument=ins)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            dim = dimension_within(dim, ins, within)
            report = findings_report(inspections=inspections, title=f"{name}: {dim.title}", dimensions=[dim], within=within)
        else:
            if groups or versus:
                raise CommandError("--groups and --versus-all need --by FIELD")
            if opts.get("within"):
                raise CommandError("--within needs --by FIELD (the attribute compared within those cases)")
            title = f"Findings: {name}" if opts.get("inspection") else f"Aggregate findings: {name}"
            report = findings_report(inspections=inspections, title=title, dimensions=STANDARD)
        fmt, out = opts["format"], opts["output"]
        body: str | bytes
        if fmt == "json":
            body = exports.to_json(report)
        elif fmt == "csv":
            body = exports.to_csv(report)
        elif fmt == "xlsx":
            body = exports.to_xlsx(report)
        else:
            html = render_to_string("reporting/report_print.html", {"report": report, "charts": charts_for(report), "scope": name, "print_mode": True})
            body = pdf(html, base_url=Path(settings.BASE_DIR).as_uri() + "/", warn=self.stderr.write)
        if out == "-":
            if isinstance(body, bytes):
                raise CommandError(f"{fmt} is binary; give --output PATH")
            sys.stdout.write(body)
        else:
            try:
                Path(out).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
            except OSError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Wrote {fmt} findings for {name} ({report.total_cases or 0} cases) to {out}")
        access_log(user=None, kind="export", path=f"manage.py export_findings {prog.name} {fmt}"[:300])
