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

import array
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.inspections.models import Case, Inspection
from caseassess.reporting.models import FindingsCount, FindingsCountState
from caseassess_core.findings.counts import CaseCount, CountRow

COUNTED = (Status.SUBMITTED, Status.SIGNED_OFF)
#: Every single-choice case-detail field of the instrument has counts kept per value
#: (``counted_fields``): any one-attribute comparison reads the table. The cost grows
#: with fields x values x questions, not with cases. These are the fields of the
#: standard tables (Tables 3-8) and Annex 1, which every instrument must offer.
COUNTED_FIELDS = ("age_group", "disability", "ethnicity", "gender", "rosh_at_start", "sentence_type", "tier")
CASE = "case"
_FIELDS_KEY = "v2:every-single-choice-case-detail"

Key = tuple[int, str, str, str, str]  # inspection, field, value, question_id, scoring


def counted_fields(ins: Any) -> tuple[str, ...]:
    """The case-detail fields an inspection of this instrument keeps counts for: every
    single-choice field with options (in instrument order)."""
    return tuple(f.id for f in ins.case_details if f.type.value == "single_choice")


@lru_cache(maxsize=64)
def _fields_of_version(version_id: int, checksum: str) -> tuple[str, ...]:
    """Keyed by the checksum too: a version's id alone may name other files (a test database
    reuses ids; a restore may too)."""
    from caseassess.instruments.models import InstrumentVersion
    from caseassess.instruments.selectors import instrument_get

    return counted_fields(instrument_get(version=InstrumentVersion.objects.get(pk=version_id)))


def fields_for(inspection_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Each inspection's counted fields (from its instrument version)."""
    rows = Inspection.objects.filter(pk__in=inspection_ids).values_list("id", "instrument_id", "instrument__checksum")
    return {i: _fields_of_version(v, c) for i, v, c in rows}


def common_fields(inspection_ids: Sequence[int]) -> set[str]:
    """The fields every one of these inspections keeps counts for."""
    per = list(fields_for(inspection_ids).values())
    return set.intersection(*(set(f) for f in per)) if per else set()


def value_text(value: Any) -> str:
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


def lock_state(inspection_id: int) -> FindingsCountState:
    """The inspection's count state row, locked for the rest of the transaction."""
    return _lock_states([inspection_id])[inspection_id]


def _insert_counts(cells: Iterable[tuple[Key, int]]) -> int:
    """Insert count rows in one statement per 20,000 (executemany; COPY on PostgreSQL)."""
    from django.db import connection

    qn = connection.ops.quote_name
    table = qn(FindingsCount._meta.db_table)
    cols = ("inspection_id", "field", "value", "question_id", "scoring", "n")
    rows = [(*k, n) for k, n in cells if n]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.copy(f"COPY {table} ({', '.join(qn(c) for c in cols)}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
        else:
            sql = f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608
            for start in range(0, len(rows), 20_000):
                cur.executemany(sql, rows[start:start + 20_000])
    return len(rows)


def apply_increments(delta: dict[Key, int], state: FindingsCountState, inspection_id: int) -> None:
    """Add a bulk write's increments (an import) to the table and record the state it is
    now current for; the caller holds ``lock_state`` and the write is in this transaction.
    One read of the inspection's rows, one DELETE per 900 changed cells, one bulk insert."""
    stored = {(inspection_id, f, v, q, s): (pk, n) for pk, f, v, q, s, n in
              FindingsCount.objects.filter(inspection_id=inspection_id).values_list("id", "field", "value", "question_id", "scoring", "n")}
    delete: list[int] = []
    create: list[tuple[Key, int]] = []
    for key, d in delta.items():
        if not d:
            continue
        pk, n = stored.get(key, (None, 0))
        if n + d < 0:  # cannot happen when the state was current; make the next read rebuild
            state.state = ""
            state.save(update_fields=["state", "updated_at"])
            return
        if pk is not None:
            delete.append(pk)
        create.append((key, n + d))
    for start in range(0, len(delete), 900):
        FindingsCount.objects.filter(pk__in=delete[start:start + 900]).delete()
    _insert_counts(create)
    state.state = current_states([inspection_id])[inspection_id]
    state.save(update_fields=["state", "updated_at"])


def counts_rebuild(*, inspection_id: int) -> int:
    """Rebuild one inspection's counts from its answers; returns the number of rows.

    One streamed query reads (case, question, scoring) of the counted answers and one the
    counted cases' details; numpy sums them per case profile (the combination of counted
    field values) and then per field value, so the cost grows with answers + profiles x
    fields, not answers x fields (every single-choice field is counted)."""
    with transaction.atomic():
        st = _lock_states([inspection_id])[inspection_id]
        state = current_states([inspection_id])[inspection_id]
        fields = fields_for([inspection_id]).get(inspection_id, ())
        counted = Assessment.objects.filter(case__inspection_id=inspection_id, counts=True, status__in=COUNTED)
        profile_of: dict[int, int] = {}
        profiles: dict[tuple[str, ...], int] = {}
        case_n: list[int] = []
        for cid, details in Case.objects.filter(assessments__in=counted).distinct().values_list("id", "details").iterator(chunk_size=10_000):
            d = details or {}
            prof = tuple(value_text(d.get(f)) for f in fields)
            k = profiles.get(prof)
            if k is None:
                k = profiles[prof] = len(profiles)
                case_n.append(0)
            profile_of[cid] = k
            case_n[k] += 1
        keys: dict[tuple[str, str], int] = {}
        ri = array.array("q")
        ki = array.array("q")
        answers = Answer.objects.filter(assessment__in=counted).exclude(scoring="")
        for cid, q, s in answers.values_list("assessment__case_id", "question_id", "scoring").iterator(chunk_size=20_000):
            qs = (q, s)
            k = keys.get(qs)
            if k is None:
                k = keys[qs] = len(keys)
            ri.append(profile_of[cid])
            ki.append(k)
        m = np.zeros((len(profiles), len(keys) + 1), dtype=np.int64)
        if len(ri):
            np.add.at(m, (np.frombuffer(ri, dtype=np.int64), np.frombuffer(ki, dtype=np.int64)), 1)
        if profiles:
            m[:, len(keys)] = case_n  # the last column counts cases (Annex 1)
        names = [*keys, ("", CASE)]
        cells: dict[Key, int] = {}

        def emit(f: str, v: str, vec: Any) -> None:
            for k in np.flatnonzero(vec):
                q, s = names[k]
                cells[(inspection_id, f, v, q, s)] = int(vec[k])

        emit("", "", m.sum(axis=0))
        plist = list(profiles)
        for j, f in enumerate(fields):
            groups: dict[str, list[int]] = defaultdict(list)
            for r, prof in enumerate(plist):
                groups[prof[j]].append(r)
            for v, rows in groups.items():
                emit(f, v, m[rows].sum(axis=0))
        FindingsCount.objects.filter(inspection_id=inspection_id).delete()
        _insert_counts(cells.items())
        st.state, st.rebuilt_at = state, timezone.now()
        st.save(update_fields=["state", "rebuilt_at", "updated_at"])
    return len(cells)


#: A stale inspection with more counted cases than this is rebuilt by a background task
#: (``caseassess.jobs``), not inside a web request; smaller ones take well under a second.
REBUILD_INLINE_MAX_CASES = 2_000


def counts_stale(*, inspection_ids: Sequence[int]) -> tuple[list[int], int, dict[int, str]]:
    """(stale inspection ids, their counted cases, the current states): what a rebuild
    would have to do before the counts can be read."""
    ids = list(dict.fromkeys(inspection_ids))
    current = current_states(ids)
    stored = dict(FindingsCountState.objects.filter(inspection_id__in=ids).values_list("inspection_id", "state"))
    stale = [i for i in ids if stored.get(i) != current[i]]
    n = Assessment.objects.filter(case__inspection_id__in=stale, counts=True, status__in=COUNTED).count() if stale else 0
    return stale, n, current


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
    fields = fields_for(sorted({iid for iid, _ in details.values()}))
    for cid in set(counted.values_list("case_id", flat=True)):
        iid, d = details[cid]
        cells = [*per_case.get(cid, Counter()).items(), (("", CASE), 1)]
        for f, v in [("", ""), *((f, value_text(d.get(f))) for f in fields.get(iid, ()))]:
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
        if by not in common_fields(inspection_ids):
            raise ValueError(f"{by!r} is not a counted field")
        grouped = rows.filter(field=by).values_list("question_id", "value", "scoring")
    return [CountRow(q, g if g != "" else None, s, n) for q, g, s, n in grouped.annotate(t=Sum("n")).order_by()]


def counted_case_rows(*, inspection_ids: Sequence[int], fields: Sequence[str]) -> list[CaseCount]:
    """Cases per value of each counted field from the table. The caller runs ``counts_ensure`` first."""
    kept = common_fields(inspection_ids)
    missing = [f for f in fields if f not in kept]
    if missing:
        raise ValueError(f"not counted fields: {', '.join(missing)}")
    rows = (FindingsCount.objects.filter(inspection_id__in=inspection_ids, scoring=CASE, field__in=fields)
            .values_list("field", "value").annotate(t=Sum("n")).order_by())
    return [CaseCount(f, v if v != "" else None, n) for f, v, n in rows]
