"""Reads for findings. The database groups answers into (question, subgroup, scoring)
counts in one query per dimension; the pure core turns counts into tables. No answer
is ever looped over in Python here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Count, F, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from caseassess.assessments.models import Answer, Assessment
from caseassess.inspections.models import Area, Case, Inspection, Programme
from caseassess.instruments.selectors import instrument_get
from caseassess.reporting.counts import (
    COUNTED,
    common_fields,
    counted_answer_rows,
    counted_case_rows,
    counts_ensure,
    current_states,
)
from caseassess_core.findings.counts import CaseCount, CountRow
from caseassess_core.findings.publication import FrontMatter, InspectionLine
from caseassess_core.findings.report import Report, build_report
from caseassess_core.findings.tables import ALL_CASES, Comparison, GroupSpec, question_table
from caseassess_core.instrument.schema import Instrument


@dataclass(frozen=True)
class Dimension:
    """A subgroup comparison: a case attribute and its two columns."""

    id: str
    title: str
    field: str
    groups: tuple[GroupSpec, GroupSpec]
    comparison: Comparison


STANDARD: tuple[Dimension, ...] = (
    Dimension(
        "rosh", "Findings for high and very high RoSH cases and all cases", "rosh_at_start",
        (GroupSpec("High and very high RoSH cases", ("high", "very_high"), "high RoSH cases"), ALL_CASES),
        Comparison.VERSUS_ALL,
    ),
    Dimension(
        "supervision", "Findings by type of supervision (community order or licence)", "sentence_type",
        (
            GroupSpec("Community orders", ("community_order", "suspended_sentence_order"), "community orders"),
            GroupSpec("Licences", ("licence_determinate", "licence_indeterminate"), "licences"),
        ),
        Comparison.A_VS_B,
    ),
    Dimension("gender", "Findings by gender", "gender", (GroupSpec("Male", ("male",), "men"), GroupSpec("Female", ("female",), "women")), Comparison.A_VS_B),
    Dimension(
        "ethnicity", "Findings by ethnicity", "ethnicity",
        (GroupSpec("White", ("white",), "white offenders"), GroupSpec("BME", ("bme",), "BME offenders")), Comparison.A_VS_B,
    ),
    Dimension(
        "disability", "Findings by reported disability", "disability",
        (GroupSpec("No disability", ("no",), "offenders with no reported disability"), GroupSpec("Disability", ("yes",), "offenders with a reported disability")),
        Comparison.A_VS_B,
    ),
    Dimension(
        "age", "Findings by age group", "age_group",
        (GroupSpec("18–24 years", ("18_24",), "younger adults"), GroupSpec("25+ years", ("25_plus",), "older offenders")), Comparison.A_VS_B,
    ),
)
ANNEX_FIELDS = ("sentence_type", "tier", "rosh_at_start", "gender", "ethnicity", "disability", "age_group")


def counted_assessments(*, inspections: Sequence[Inspection]) -> QuerySet[Assessment]:
    return Assessment.objects.filter(case__inspection__in=inspections, counts=True, status__in=COUNTED)


def answer_counts(*, inspections: Sequence[Inspection], by: str | None, ensured: bool = False) -> list[CountRow]:
    """(question, subgroup value, scoring) -> n for the counted assessments.

    ``by`` is a case-detail id, ``"area"`` (the inspection's area) or None (no subgroup).
    The standard subgroups and the area are read from the count table (``counts``);
    any other case attribute is grouped directly by one query. ``ensured``: the caller has
    just brought the count table up to date (``counts_ensure``)."""
    ids = [i.pk for i in inspections]
    if by is None or by == "area" or by in common_fields(ids):
        if not ensured:
            counts_ensure(inspection_ids=ids)
        return counted_answer_rows(inspection_ids=ids, by=by)
    return answer_counts_live(inspections=inspections, by=by)


def answer_counts_live(*, inspections: Sequence[Inspection], by: str | None,
                       within: tuple[str, Sequence[str]] | None = None) -> list[CountRow]:
    """The same counts grouped from the answers by one query (what the table must equal).
    ``within``: only cases whose case detail ``within[0]`` is one of ``within[1]`` (a
    two-attribute comparison, e.g. gender within licences). The answers' side of the
    query is read from the covering index ``answer_counts_cover`` (assessment, question,
    scoring): an index-only scan per counted assessment."""
    qs = live_answers(inspections=inspections, within=within)
    if by is None:
        rows = qs.values_list("question_id", "scoring").annotate(n=Count("question_id")).order_by()
        return [CountRow(q, None, s, n) for q, s, n in rows]
    rows2 = live_grouped(qs, by)
    return [CountRow(q, g, s, n) for q, g, s, n in rows2]


def live_answers(*, inspections: Sequence[Inspection], within: tuple[str, Sequence[str]] | None = None) -> QuerySet[Answer]:
    qs = Answer.objects.filter(
        assessment__case__inspection__in=inspections, assessment__counts=True, assessment__status__in=COUNTED
    ).exclude(scoring="")
    if within is not None:
        qs = qs.filter(**{f"assessment__case__details__{within[0]}__in": list(within[1])})
    return qs


def live_grouped(qs: QuerySet[Answer], by: str) -> Any:
    group: Any = F("assessment__case__inspection__area__name") if by == "area" else KeyTextTransform(by, "assessment__case__details")
    # Count("question_id"), not Count("id"): every column the answers' side reads is in the covering index.
    return qs.annotate(g=group).values_list("question_id", "g", "scoring").annotate(n=Count("question_id")).order_by()


def within_sql(*, inspections: Sequence[Inspection], fields: Sequence[str], within: tuple[str, Sequence[str]], vendor: str) -> tuple[str, list[Any]]:
    """The one query of a restricted (two-attribute) report: the counted answers of the cases
    within ``within``, grouped by question, scoring, area and each of ``fields`` at once.

    Each counted case's group values are read once, in a materialised CTE (its JSON details
    parsed once per case, not once per answer: half the time on SQLite), then joined to the
    answers. The assessments' side is read from the covering index ``assessment_case_counted``,
    the answers' side from ``answer_counts_cover`` (index-only)."""
    qn = connections[DEFAULT_DB_ALIAS].ops.quote_name
    ans, ass, case, insp = (qn(m._meta.db_table) for m in (Answer, Assessment, Case, Inspection))
    area = qn(Area._meta.db_table)
    key = "(c.details ->> %s)" if vendor == "postgresql" else "json_extract(c.details, %s)"

    def path(field: str) -> str:
        return field if vendor == "postgresql" else f'$."{field}"'

    groups = ", ".join(f"{key} AS g_{k}" for k in range(len(fields)))
    ids = [int(i.pk) for i in inspections]
    where_key = key
    # In the order of the placeholders: the group keys, the inspections, the statuses, the restriction.
    params: list[Any] = [*(path(f) for f in fields), *ids, *(str(c) for c in COUNTED), path(within[0]), *within[1]]
    marks = lambda n: ", ".join(["%s"] * n)  # noqa: E731
    # Only quoted table names, column aliases and placeholders are formatted in; every value is a parameter.
    sql = (
        f"WITH cg AS MATERIALIZED (SELECT s.id AS aid, ar.name AS g_area{', ' + groups if groups else ''} "  # noqa: S608
        f"FROM {ass} s JOIN {case} c ON c.id = s.case_id JOIN {insp} i ON i.id = c.inspection_id JOIN {area} ar ON ar.id = i.area_id "
        f"WHERE c.inspection_id IN ({marks(len(ids))}) AND s.counts AND s.status IN ({marks(len(COUNTED))}) "
        f"AND {where_key} IN ({marks(len(within[1]))})) "
        f"SELECT a.question_id, a.scoring, cg.g_area{''.join(f', cg.g_{k}' for k in range(len(fields)))}, COUNT(a.question_id) "
        f"FROM cg JOIN {ans} a ON a.assessment_id = cg.aid WHERE a.scoring <> '' "
        f"GROUP BY {', '.join(str(k) for k in range(1, len(fields) + 4))}"
    )
    return sql, params


def within_grouped(*, inspections: Sequence[Inspection], fields: Sequence[str], within: tuple[str, Sequence[str]]) -> list[tuple[Any, ...]]:
    """Rows (question, scoring, area, value of each field…, n) of ``within_sql``, read where
    the router sends report reads (the replica inside ``replica_reads()``)."""
    alias = router.db_for_read(Answer)
    sql, params = within_sql(inspections=inspections, fields=fields, within=within, vendor=connections[alias].vendor)
    with connections[alias].cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def answer_counts_within(*, inspections: Sequence[Inspection], fields: Sequence[str],
                         within: tuple[str, Sequence[str]]) -> dict[str, list[CountRow]]:
    """``{"area": rows, field: rows, …}``: the counts by area and by each field of a restricted
    report from one grouped query (summed over its count rows, never over answers), so the
    answers are read once however many tables the report has."""
    order = ["area", *dict.fromkeys(f for f in fields if f != "area")]
    sums: dict[str, dict[tuple[str, Any, str], int]] = {by: {} for by in order}
    for q, sc, *groups, n in within_grouped(inspections=inspections, fields=order[1:], within=within):
        for by, g in zip(order, groups, strict=True):
            key = (q, g, sc)
            sums[by][key] = sums[by].get(key, 0) + n
    return {by: [CountRow(q, g, sc, n) for (q, g, sc), n in d.items()] for by, d in sums.items()}


def within_cases(*, inspections: Sequence[Inspection], within: tuple[str, Sequence[str]]) -> int:
    """How many counted cases a restricted report would count (what its query's cost grows with)."""
    return counted_assessments(inspections=inspections).filter(**{f"case__details__{within[0]}__in": list(within[1])}).count()


def within_counts(*, inspections: Sequence[Inspection], fields: Sequence[str], within: tuple[str, Sequence[str]]) -> dict[str, Any]:
    """Everything a restricted report counts, as plain JSON (a background task keeps it in its
    job row): the answer counts by area and by each field, and the Annex 1 case counts."""
    answers = answer_counts_within(inspections=inspections, fields=fields, within=within)
    cases = case_counts_live(inspections=inspections, fields=ANNEX_FIELDS, within=within)
    return {"answers": {by: [[r.question_id, r.group, r.scoring, r.n] for r in rows] for by, rows in answers.items()},
            "cases": [[c.field, c.value, c.n_cases] for c in cases]}


def case_counts(*, inspections: Sequence[Inspection], fields: Sequence[str], ensured: bool = False) -> list[CaseCount]:
    """Cases per value of each field (Annex 1), from the count table where it keeps the field."""
    counted = common_fields([i.pk for i in inspections])
    kept = [f for f in fields if f in counted]
    out: list[CaseCount] = []
    if kept:
        ids = [i.pk for i in inspections]
        if not ensured:
            counts_ensure(inspection_ids=ids)
        out = counted_case_rows(inspection_ids=ids, fields=kept)
    other = [f for f in fields if f not in counted]
    return out + (case_counts_live(inspections=inspections, fields=other) if other else [])


def case_counts_live(*, inspections: Sequence[Inspection], fields: Sequence[str],
                     within: tuple[str, Sequence[str]] | None = None) -> list[CaseCount]:
    cases = Case.objects.filter(assessments__in=counted_assessments(inspections=inspections)).distinct()
    if within is not None:
        cases = cases.filter(**{f"details__{within[0]}__in": list(within[1])})
    out: list[CaseCount] = []
    for f in fields:
        rows = cases.annotate(v=KeyTextTransform(f, "details")).values_list("v").annotate(n=Count("id", distinct=True)).order_by()
        out.extend(CaseCount(f, v, n) for v, n in rows)
    return out


def scope_instrument(inspections: Sequence[Inspection]) -> Instrument:
    """Findings pool answers by question id; the newest instrument version names them."""
    latest = max(inspections, key=lambda i: (i.instrument.effective_from or i.fieldwork_start, i.instrument_id))
    return instrument_get(version=latest.instrument)


def dimension(dim_id: str) -> Dimension:
    for d in STANDARD:
        if d.id == dim_id:
            return d
    raise KeyError(dim_id)


def custom_dimension(*, field: str, groups: Sequence[str] | None, versus_all: str | None, instrument: Instrument) -> Dimension:
    """A comparison on any case attribute: two values (``groups``), or one value against all cases."""
    try:
        fdef = instrument.case_field(field)
    except KeyError:
        raise ValueError(f"--by {field!r} is not a case-detail field of {instrument.id}") from None
    labels = {o.value: o.label for o in instrument.options_for(fdef)}
    if versus_all:
        vals = tuple(v.strip() for v in versus_all.split("+"))
        return Dimension(f"{field}-vs-all", f"Findings for {fdef.label.lower()} {', '.join(labels.get(v, v) for v in vals)} and all cases", field,
                         (GroupSpec(" and ".join(labels.get(v, v) for v in vals), vals), ALL_CASES), Comparison.VERSUS_ALL)
    if not groups or len(groups) != 2:
        raise ValueError("give two groups (--groups A,B) or one value to compare with all cases (--versus-all A)")
    a, b = (tuple(x.strip() for x in g.split("+")) for g in groups)
    return Dimension(f"{field}", f"Findings by {fdef.label.lower()}", field,
                     (GroupSpec(" and ".join(labels.get(v, v) for v in a), a), GroupSpec(" and ".join(labels.get(v, v) for v in b), b)), Comparison.A_VS_B)


Within = tuple[str, tuple[str, ...]]


def within_check(*, instrument: Instrument, by: str | None, field: str, values: Sequence[str]) -> Within:
    """A two-attribute comparison's restriction: only cases whose case detail ``field`` is one
    of ``values``. Errors (ValueError) in people's words: the field is not a single-choice case
    detail, it is the attribute compared, no value, or a value that is not one of its options."""
    choices = [f for f in instrument.case_details if f.type.value == "single_choice" and instrument.options_for(f)]
    fdef = next((f for f in choices if f.id == field), None)
    if fdef is None:
        raise ValueError(f"{field!r} is not a single-choice case detail of {instrument.id} (choose one of: {', '.join(f.id for f in choices)})")
    if by is not None and field == by:
        raise ValueError(f"the comparison is already by {fdef.label.lower()}: restrict the cases by a different case detail")
    vals = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    if not vals:
        raise ValueError(f"choose at least one {fdef.label.lower()} to keep")
    allowed = [o.value for o in instrument.options_for(fdef)]
    unknown = [v for v in vals if v not in allowed]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a value of {field} (values: {', '.join(allowed)})")
    return (field, vals)


def within_words(instrument: Instrument, within: Within) -> str:
    """'cases whose type of sentence is Licence – determinate sentence or Licence – indeterminate sentence'."""
    fdef = instrument.case_field(within[0])
    labels = {o.value: o.label for o in instrument.options_for(fdef)}
    return f"cases whose {fdef.label.lower()} is {' or '.join(labels.get(v, v) for v in within[1])}"


def dimension_within(dim: Dimension, instrument: Instrument, within: Within | None) -> Dimension:
    """The comparison's title names the restriction (every page, table and export shows it)."""
    if within is None:
        return dim
    return dataclasses.replace(dim, title=f"{dim.title}, only {within_words(instrument, within)}")


def findings_report(*, inspections: Sequence[Inspection], title: str, dimensions: Sequence[Dimension] = STANDARD,
                    within: Within | None = None, counted: dict[str, Any] | None = None) -> Report:
    """The report, cached until what it counts changes (submit, sign-off, return,
    moderation, import and case-detail changes all change an inspection's state).

    ``within``: only the cases whose case detail ``within[0]`` is one of ``within[1]`` (a
    two-attribute comparison, e.g. gender within licences). Every number of the report --
    scores, tables, areas, the annex and the case total -- then counts only those cases,
    grouped from the answers through the covering indexes (the count table keeps one
    attribute at a time). ``counted``: those counts already made (``within_counts``, by a
    background task for a large programme)."""
    inspections = list(inspections)
    # Each inspection's count state (counted assessments, their last change, case-detail
    # versions, instrument version), read once: the cache key and the table's freshness.
    # Autosaves to assessments in progress do not change it.
    states = current_states([i.pk for i in inspections])
    key = "findings:" + hashlib.sha256(
        "|".join([
            *(f"{k}:{v}" for k, v in sorted(states.items())), title, *(repr(d) for d in dimensions), f"within={within!r}",
            f"min_n={settings.REPORT_MIN_N}", f"kappa={settings.KAPPA_MIN_CASES}", timezone.localdate().isoformat(),
        ]).encode()
    ).hexdigest()
    report = cache.get(key)
    if report is None:
        if within is None:  # a restricted report reads the answers, not the count table
            counts_ensure(inspection_ids=[i.pk for i in inspections], current=states)
        report = _build_findings_report(inspections=inspections, title=title, dimensions=dimensions, within=within, counted=counted)
        cache.set(key, report, timeout=600)
    return report  # type: ignore[no-any-return]


def _build_findings_report(*, inspections: list[Inspection], title: str, dimensions: Sequence[Dimension],
                           within: Within | None = None, counted: dict[str, Any] | None = None) -> Report:
    """Build from the count table (the caller has run ``counts_ensure``); with ``within``,
    from the answers of those cases only (or the ``within_counts`` made of them)."""
    ins = scope_instrument(inspections)
    if within is not None and counted is None:
        counted = within_counts(inspections=inspections, fields=[d.field for d in dimensions], within=within)
    restricted = {by: [CountRow(*r) for r in rows] for by, rows in counted["answers"].items()} if within and counted else {}

    def counts(by: str) -> list[CountRow]:
        if within is None:
            return answer_counts(inspections=inspections, by=by, ensured=True)
        return restricted[by]

    tables = []
    for i, d in enumerate(dimensions):
        tables.append(question_table(ins, counts(d.field), d.groups, d.comparison, table_id=d.id, title=f"Table {i + 3}: {d.title}"))
    report = build_report(
        ins,
        area_counts=counts("area"),
        area_order=[i.area.name for i in sorted(inspections, key=lambda x: x.fieldwork_start)],
        tables=tables,
        case_counts=(case_counts(inspections=inspections, fields=ANNEX_FIELDS, ensured=True) if within is None or counted is None
                     else [CaseCount(*c) for c in counted["cases"]]),
        # Only the characteristics the instrument asks about: another version's would show as
        # a bare field id, "Not recorded" for every case.
        annex_fields=[f for f in ANNEX_FIELDS if any(d.id == f for d in ins.case_details)],
        title=title,
        phrases={s.id: s.phrase for _, s in ins.all_scores() if s.phrase},
        min_n=settings.REPORT_MIN_N,
        kappa_min_cases=settings.KAPPA_MIN_CASES,
        rating_scheme=_rating_scheme(inspections),
    )
    front = front_matter(inspections=inspections, instrument=ins, cases=report.total_cases or 0)
    if within is not None:
        front = dataclasses.replace(front, statuses=f"{front.statuses}; only {within_words(ins, within)}")
    return dataclasses.replace(report, front=front)


def _rating_scheme(inspections: Sequence[Inspection]) -> Any:
    """The rating scheme loaded beside the newest instrument of ``inspections`` (``None`` without one)."""
    from caseassess.instruments.selectors import rating_scheme_for

    latest = max(inspections, key=lambda i: (i.instrument.effective_from or i.fieldwork_start, i.instrument_id))
    found = rating_scheme_for(version=latest.instrument)
    return found[1] if found else None


def long_date(day: dt.date) -> str:
    """26 March 2011."""
    return f"{day.day} {day:%B %Y}"


def front_matter(*, inspections: Sequence[Inspection], instrument: Instrument, cases: int) -> FrontMatter:
    """What a report covers: programme, inspections and areas, fieldwork, cases, statuses, instrument, date."""
    ordered = sorted(inspections, key=lambda i: (i.fieldwork_start, i.name))
    programmes = sorted({i.programme.name for i in ordered})
    start = min(i.fieldwork_start for i in ordered)
    end = max(i.fieldwork_end for i in ordered)
    return FrontMatter(
        programme=", ".join(programmes),
        inspections=tuple(
            InspectionLine(i.name, i.area.name, f"{long_date(i.fieldwork_start)} to {long_date(i.fieldwork_end)}") for i in ordered
        ),
        fieldwork_period=f"{long_date(start)} to {long_date(end)}",
        cases=cases,
        statuses="Submitted and signed-off assessments (for a double-assessed case, only the moderated assessment)",
        instrument=f"{instrument.title} (version {instrument.version})",
        produced=long_date(timezone.localdate()),
    )


def programme_inspections(*, programme: Programme, visible: QuerySet[Inspection]) -> list[Inspection]:
    return list(visible.filter(programme=programme).select_related("instrument", "area", "programme").order_by("fieldwork_start"))
