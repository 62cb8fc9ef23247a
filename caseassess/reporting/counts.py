"""The findings count table, kept exact.

Reports never group answers at read time: they sum ``FindingsCount`` rows, a few
hundred per inspection and subgroup field, whatever the number of answers. The table
is kept exact two ways:

* **incrementally**: a change to what counts (submit, return, sign-off, a lead's
  change of case details after submission, moderation) runs inside
  ``findings_change(case_ids)``, which adds the difference between the cases'
  contributions before and after the change, under a lock on the inspection's state row;
* **by state**: each inspection's counts carry the state they were built from (counted
  assessments, their last change, the case-detail versions, the instrument version, the
  counted fields). Before counts are read, ``counts_ensure`` compares it with the
  database's state and rebuilds any inspection that differs (after a bulk import, the
  demonstration load, or any write that bypassed ``findings_change``). A rebuild is one
  grouped query per counted field over that inspection's answers.

So a stale row can never be read: either the increment kept the state current, or the
state differs and the inspection is rebuilt first. ``rebuild_findings_counts --check``
compares the table with the answers directly.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.inspections.models import Case, Inspection
from caseassess.reporting.models import FindingsCount, FindingsCountState
from caseassess_core.findings.counts import CaseCount, CountRow

COUNTED = (Status.SUBMITTED, Status.SIGNED_OFF)
#: Case-detail fields with counts kept per value: every subgroup of the standard tables
#: (Tables 3-8) and every Annex 1 characteristic. Comparisons on other fields group the
#: answers directly (``selectors.answer_counts``).
COUNTED_FIELDS = ("age_group", "disability", "ethnicity", "gender", "rosh_at_start", "sentence_type", "tier")
CASE = "case"
_FIELDS_KEY = "v1:" + ",".join(COUNTED_FIELDS)

Key = tuple[int, str, str, str, str]  # inspection, field, value, question_id, scoring


def _text(value: Any) -> str:
    """A case-detail value as stored in the table ('' when not recorded)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def current_states(inspection_ids: Sequence[int]) -> dict[int, str]:
    """Each inspection's state: what its counts depend on. One grouped query."""
    agg = {
        row["case__inspection_id"]: row
        for row in Assessment.objects.filter(case__inspection_id__in=inspection_ids, counts=True, status__in=COUNTED)
        .values("case__inspection_id")
        .annotate(n=Count("id"), last=Max("updated_at"), dv=Sum("case__details_version"))
        .order_by()
    }
    checksums = dict(Inspection.objects.filter(pk__in=inspection_ids).values_list("id", "instrument__checksum"))
    out = {}
    for iid in inspection_ids:
        row = agg.get(iid, {})
        parts = [str(iid), str(row.get("n", 0)), str(row.get("last")), str(row.get("dv")), str(checksums.get(iid)), _FIELDS_KEY]
        out[iid] = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return out


def _lock_states(inspection_ids: Sequence[int]) -> dict[int, FindingsCountState]:
    FindingsCountState.objects.bulk_create(
        [FindingsCountState(inspection_id=i) for i in inspection_ids], ignore_conflicts=True
    )
    return {s.inspection_id: s for s in FindingsCountState.objects.select_for_update().filter(inspection_id__in=inspection_ids).order_by("inspection_id")}


def counts_rebuild(*, inspection_id: int) -> int:
    """Rebuild one inspection's counts from its answers; returns the number of rows."""
    with transaction.atomic():
        st = _lock_states([inspection_id])[inspection_id]
        state = current_states([inspection_id])[inspection_id]
        cells: Counter[Key] = Counter()
        answers = Answer.objects.filter(
            assessment__case__inspection_id=inspection_id, assessment__counts=True, assessment__status__in=COUNTED
        ).exclude(scoring="")
        cases = Case.objects.filter(inspection_id=inspection_id, assessments__counts=True, assessments__status__in=COUNTED)
        cols = [f"f{k}" for k in range(len(COUNTED_FIELDS))]
        # One pass: counts by question, scoring and every counted field at once (a "cube"
        # of at most questions x classes x distinct case profiles rows), then summed per
        # field here. A case has one value per field, so the sums are the per-field counts.
        cube = answers.annotate(**{c: KeyTextTransform(f, "assessment__case__details") for c, f in zip(cols, COUNTED_FIELDS, strict=True)})
        for q, s, *values, n in cube.values_list("question_id", "scoring", *cols).annotate(n=Count("id")).order_by().iterator(chunk_size=10_000):
            cells[(inspection_id, "", "", q, s)] += n
            for f, v in zip(COUNTED_FIELDS, values, strict=True):
                cells[(inspection_id, f, _text(v), q, s)] += n
        case_cube = cases.annotate(**{c: KeyTextTransform(f, "details") for c, f in zip(cols, COUNTED_FIELDS, strict=True)})
        for *values, n in case_cube.values_list(*cols).annotate(n=Count("id", distinct=True)).order_by():
            cells[(inspection_id, "", "", "", CASE)] += n
            for f, v in zip(COUNTED_FIELDS, values, strict=True):
                cells[(inspection_id, f, _text(v), "", CASE)] += n
        FindingsCount.objects.filter(inspection_id=inspection_id).delete()
        FindingsCount.objects.bulk_create(
            [FindingsCount(inspection_id=i, field=f, value=v, question_id=q, scoring=s, n=n) for (i, f, v, q, s), n in cells.items() if n],
            batch_size=5000,
        )
        st.state, st.rebuilt_at = state, timezone.now()
        st.save(update_fields=["state", "rebuilt_at", "updated_at"])
    return len(cells)


def counts_ensure(*, inspection_ids: Sequence[int], current: dict[int, str] | None = None) -> list[int]:
    """Rebuild the counts of every inspection whose state has changed; returns their ids.
    ``current``: the states if the caller has just read them (``current_states``)."""
    ids = list(dict.fromkeys(inspection_ids))
    if current is None or not set(ids) <= current.keys():
        current = current_states(ids)
    stored = dict(FindingsCountState.objects.filter(inspection_id__in=ids).values_list("inspection_id", "state"))
    stale = [i for i in ids if stored.get(i) != current[i]]
    for i in stale:
        counts_rebuild(inspection_id=i)
    return stale


def _contribution(case_ids: Sequence[int]) -> Counter[Key]:
    """What these cases add to the table (their counted assessments), computed in Python:
    a handful of cases at a time, never a report."""
    details = {pk: (iid, d or {}) for pk, iid, d in Case.objects.filter(pk__in=case_ids).values_list("id", "inspection_id", "details")}
    counted = Assessment.objects.filter(case_id__in=case_ids, counts=True, status__in=COUNTED)
    per_case: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
    for cid, q, s in Answer.objects.filter(assessment__in=counted).exclude(scoring="").values_list("assessment__case_id", "question_id", "scoring"):
        per_case[cid][(q, s)] += 1
    out: Counter[Key] = Counter()
    for cid in set(counted.values_list("case_id", flat=True)):
        iid, d = details[cid]
        cells = [*per_case.get(cid, Counter()).items(), (("", CASE), 1)]
        for f, v in [("", ""), *((f, _text(d.get(f))) for f in COUNTED_FIELDS)]:
            for (q, s), n in cells:
                out[(iid, f, v, q, s)] += n
    return out


def _apply(delta: dict[Key, int], states: dict[int, FindingsCountState]) -> None:
    if not delta:
        return
    cond = Q()
    for iid, f, v, _, _ in {k[:3] + ("", "") for k in delta}:
        cond |= Q(inspection_id=iid, field=f, value=v)
    rows = {(r.inspection_id, r.field, r.value, r.question_id, r.scoring): r for r in FindingsCount.objects.filter(cond)}
    create, delete = [], []
    for key, d in delta.items():
        row = rows.get(key)
        n = (row.n if row else 0) + d
        if n < 0:  # cannot happen when the state was current; make the next read rebuild
            states[key[0]].state = ""
            continue
        if row is not None:
            delete.append(row.pk)
        if n:
            create.append(FindingsCount(inspection_id=key[0], field=key[1], value=key[2], question_id=key[3], scoring=key[4], n=n))
    # A changed cell is replaced: one DELETE and one multi-row INSERT, whatever the number
    # of cells (row-by-row UPDATEs cost a round trip each on PostgreSQL).
    for start in range(0, len(delete), 900):
        FindingsCount.objects.filter(pk__in=delete[start:start + 900]).delete()
    FindingsCount.objects.bulk_create(create, batch_size=2000)


@contextmanager
def findings_change(case_ids: Iterable[int]) -> Iterator[None]:
    """Wrap a change to what counts for these cases; the count table follows it in the
    same transaction. Inspections whose counts are not current are left to the next
    ``counts_ensure``."""
    ids = sorted(set(case_ids))
    with transaction.atomic():
        inspection_of = dict(Case.objects.filter(pk__in=ids).values_list("id", "inspection_id"))
        insp_ids = sorted(set(inspection_of.values()))
        locked = {s.inspection_id: s for s in FindingsCountState.objects.select_for_update().filter(inspection_id__in=insp_ids).order_by("inspection_id")}
        current = current_states(list(locked)) if locked else {}
        valid = {i: s for i, s in locked.items() if s.state and s.state == current[i]}
        tracked = [c for c, i in inspection_of.items() if i in valid]
        before = _contribution(tracked) if tracked else Counter()
        yield
        if not valid:
            return
        after = _contribution(tracked)
        delta = {k: after[k] - before[k] for k in before.keys() | after.keys() if after[k] != before[k]}
        _apply(delta, valid)
        new = current_states(list(valid))
        for i, s in valid.items():
            if s.state:  # not invalidated by _apply
                s.state = new[i]
            s.save(update_fields=["state", "updated_at"])


def counted_answer_rows(*, inspection_ids: Sequence[int], by: str | None) -> list[CountRow]:
    """(question, subgroup value, scoring) -> n from the table. ``by``: a counted field,
    ``"area"`` (the inspection's area) or None. The caller runs ``counts_ensure`` first."""
    rows = FindingsCount.objects.filter(inspection_id__in=inspection_ids).exclude(scoring=CASE)
    if by is None:
        return [CountRow(q, None, s, n) for q, s, n in rows.filter(field="").values_list("question_id", "scoring").annotate(t=Sum("n")).order_by()]
    if by == "area":
        grouped = rows.filter(field="").values_list("question_id", "inspection__area__name", "scoring")
    else:
        if by not in COUNTED_FIELDS:
            raise ValueError(f"{by!r} is not a counted field")
        grouped = rows.filter(field=by).values_list("question_id", "value", "scoring")
    return [CountRow(q, g if g != "" else None, s, n) for q, g, s, n in grouped.annotate(t=Sum("n")).order_by()]


def counted_case_rows(*, inspection_ids: Sequence[int], fields: Sequence[str]) -> list[CaseCount]:
    """Cases per value of each counted field from the table. The caller runs ``counts_ensure`` first."""
    missing = [f for f in fields if f not in COUNTED_FIELDS]
    if missing:
        raise ValueError(f"not counted fields: {', '.join(missing)}")
    rows = (FindingsCount.objects.filter(inspection_id__in=inspection_ids, scoring=CASE, field__in=fields)
            .values_list("field", "value").annotate(t=Sum("n")).order_by())
    return [CaseCount(f, v if v != "" else None, n) for f, v, n in rows]
