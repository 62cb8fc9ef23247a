"""The bulk import (PostgreSQL COPY + one set-based upsert, or SQLite executemany in large
batches) writes exactly what the import wrote before it (``reference_import``, kept
verbatim): the same rows, scoring classes, versions, case details, audit events and
findings counts, on the demonstration programme and on a generated file with every answer
type, case-detail conflicts and re-imports. The suite runs on SQLite and on PostgreSQL, so
each path is compared on its own database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from caseassess.assessments.models import Answer, Assessment
from caseassess.audit.models import AuditEvent
from caseassess.inspections.demo import random_answers, random_case_details
from caseassess.inspections.models import Area, Case, Inspection, Programme
from caseassess.instruments.selectors import instrument_get
from caseassess.instruments.services import instrument_load
from caseassess.reporting import counts, importing
from caseassess.reporting.dataexchange import cell
from caseassess.reporting.models import FindingsCount
from tests.web import reference_import

pytestmark = pytest.mark.django_db

START = dt.date(2013, 11, 4)


@pytest.fixture
def pair() -> tuple[Any, Any, Any]:
    """Two empty inspections of the IAOW instrument: one for the reference import, one for the new."""
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    prog = Programme.objects.create(name="Import paths")
    area = Area.objects.create(name="Pathshire")
    made = [Inspection.objects.create(programme=prog, name=name, area=area, fieldwork_start=START,
                                      fieldwork_end=START + dt.timedelta(days=4), instrument=version) for name in ("Reference", "Bulk")]
    return made[0], made[1], instrument_get(version=version)


def generated(ins: Any, *, seed: int, n: int, prefix: str = "G", labels: bool = True) -> tuple[list[list[str]], dict[str, Any]]:
    """A long CSV with every case-detail column (single and multiple choice, number, date,
    text) and answers to single- and multiple-choice questions; some answers given as
    option labels; details on the first row of a case only, or repeated on every row."""
    rng = random.Random(seed)
    detail_ids = [f.id for f in ins.case_details]
    header = ["case_ref", "question_id", "answer", *detail_ids]
    rows: list[list[str]] = [header]
    plan: dict[str, Any] = {}
    for k in range(n):
        ref = f"{prefix}-{k:04d}"
        details = random_case_details(ins, rng, fieldwork_start=START)
        details.setdefault("notes", "text detail with a comma, and \"quotes\"") if any(f.id == "notes" for f in ins.case_details) else None
        answers = random_answers(ins, details, rng, 0.7)
        plan[ref] = (details, answers)
        for j, (qid, value) in enumerate(answers.items()):
            text = cell(value)
            if labels and rng.random() < 0.2 and isinstance(value, str):
                q = ins.question(qid)
                text = next((o.label.upper() for o in ins.options_for(q) if o.value == value), text)
            drow = [cell(details.get(f)) if (j == 0 or k % 3 == 0) else "" for f in detail_ids]
            rows.append([ref, qid, text, *drow])
        if k % 5 == 0:
            rows.append([ref, next(iter(answers), "A.1.1.1"), "", *[""] * len(detail_ids)])  # an empty answer: nothing to import
            rows.append([""] * len(header))  # a blank line
    return rows, plan


def snapshot(insp: Inspection) -> dict[str, Any]:
    answers = sorted(
        (ref, q, repr(v), s, ver, c)
        for ref, q, v, s, ver, c in Answer.objects.filter(assessment__case__inspection=insp).values_list(
            "assessment__case__case_ref", "question_id", "value", "scoring", "version", "comment")
    )
    cases = sorted((ref, repr(sorted(d.items())), dv) for ref, d, dv in Case.objects.filter(inspection=insp).values_list("case_ref", "details", "details_version"))
    assessments = sorted(Assessment.objects.filter(case__inspection=insp).values_list("case__case_ref", "status", "counts"))
    audit = sorted((e["new"]["case_ref"], repr(sorted(e["new"].items())), repr(e["old"])) for e in AuditEvent.objects.filter(inspection_id=insp.pk, action="import").values("new", "old"))
    return {"answers": answers, "cases": cases, "assessments": assessments, "audit": audit}


def table(insp: Inspection) -> list[tuple[Any, ...]]:
    return sorted(FindingsCount.objects.filter(inspection=insp).values_list("field", "value", "question_id", "scoring", "n"))


def result_numbers(r: Any) -> tuple[Any, ...]:
    return (r.ok, r.rows, r.cases_created, r.cases_updated, r.answers_created, r.answers_updated, r.answers_unchanged, r.error_count, r.errors)


def import_both(ref_insp: Inspection, new_insp: Inspection, rows: list[list[str]], monkeypatch: Any) -> tuple[Any, Any]:
    old = reference_import.assessments_import_csv(inspection=ref_insp, actor=None, rows=iter(rows))
    paths: list[bool] = []
    real_flush = importing._AnswerWriter.flush

    def spy(self: Any) -> None:
        paths.append(self.pg)
        real_flush(self)

    monkeypatch.setattr(importing._AnswerWriter, "flush", spy)
    stale_rebuilds: list[int] = []
    real_rebuild = counts.counts_rebuild
    monkeypatch.setattr(counts, "counts_rebuild", lambda **kw: stale_rebuilds.append(kw["inspection_id"]) or real_rebuild(**kw))
    new = importing.assessments_import_csv(inspection=new_insp, actor=None, rows=iter(rows))
    monkeypatch.undo()
    if new.ok:
        assert paths and set(paths) == {connection.vendor == "postgresql"}, "COPY on PostgreSQL, executemany on SQLite"
        assert stale_rebuilds == [] and new.counts_kept, "the import kept the count table: no rebuild"
        assert counts.counts_stale(inspection_ids=[new_insp.pk])[0] == []
    return old, new


def assert_same(ref_insp: Inspection, new_insp: Inspection, old: Any, new: Any) -> None:
    assert result_numbers(new) == result_numbers(old)
    a, b = snapshot(ref_insp), snapshot(new_insp)
    for k in a:
        assert a[k] == b[k], k
    counts.counts_ensure(inspection_ids=[ref_insp.pk])  # the reference import rebuilt; make sure it is current
    assert table(new_insp) == table(ref_insp)


def test_a_generated_file_with_every_answer_type_then_changes_then_the_same_again_is_imported_identically(pair: Any, monkeypatch: Any) -> None:
    ref_insp, new_insp, ins = pair
    rows, plan = generated(ins, seed=11, n=40)
    types = {ins.case_field(h).type.value for h in rows[0][3:]} | {ins.question(r[1]).type.value for r in rows[1:] if r[1]}
    assert {"single_choice", "multiple_choice", "number", "date", "text"} <= types
    old, new = import_both(ref_insp, new_insp, rows, monkeypatch)
    assert new.ok and new.cases_created == 40 and new.answers_created > 2000
    assert_same(ref_insp, new_insp, old, new)

    # Changes: other answers, changed case details (RoSH and sentence type change what applies), new cases.
    rng = random.Random(5)
    changed = [list(r) for r in rows]
    detail_pos = {h: i for i, h in enumerate(rows[0])}
    for r in changed[1:]:
        if not r[0]:
            continue
        k = int(r[0].split("-")[1])
        if k % 4 == 0 and r[2]:
            q = ins.question(r[1])
            opts = [o.value for o in ins.options_for(q)]
            if q.type.value == "single_choice" and len(opts) > 1:
                r[2] = rng.choice(opts)
        if k % 7 == 0 and r[detail_pos["rosh_at_start"]]:
            r[detail_pos["rosh_at_start"]] = "very_high" if r[detail_pos["rosh_at_start"]] != "very_high" else "low"
        if k % 9 == 0 and r[detail_pos["sentence_type"]]:
            r[detail_pos["sentence_type"]] = "licence_indeterminate"
    more, _ = generated(ins, seed=12, n=5, prefix="H")
    changed.extend(more[1:])
    old, new = import_both(ref_insp, new_insp, changed, monkeypatch)
    assert new.ok and new.cases_created == 5 and new.cases_updated > 0 and new.answers_updated > 0
    assert_same(ref_insp, new_insp, old, new)

    old, new = import_both(ref_insp, new_insp, changed, monkeypatch)  # the same file again: nothing changes
    assert new.ok and (new.cases_created, new.cases_updated, new.answers_created, new.answers_updated) == (0, 0, 0, 0)
    assert_same(ref_insp, new_insp, old, new)
    out = io.StringIO()
    call_command("rebuild_findings_counts", "--check", stdout=out, stderr=io.StringIO())
    assert "matches the answers" in out.getvalue()


def test_case_detail_conflicts_and_bad_rows_are_reported_identically_and_nothing_is_written(pair: Any, monkeypatch: Any) -> None:
    ref_insp, new_insp, ins = pair
    rows, _ = generated(ins, seed=3, n=6, labels=False)
    pos = {h: i for i, h in enumerate(rows[0])}
    bad = [list(r) for r in rows]
    first = next(r for r in bad[1:] if r[0] == "G-0001")
    second = [r for r in bad[1:] if r[0] == "G-0001"][1]
    second[pos["gender"]] = "female" if first[pos["gender"]] != "female" else "male"  # conflicting case details
    bad.append(["G-0002", bad[2][1], "maybe", *[""] * (len(rows[0]) - 3)])  # not an option
    bad.append(["G-0002", "Z.9.9.9", "yes", *[""] * (len(rows[0]) - 3)])  # unknown question
    bad.append(["G 0003", "A.1.1.1", "yes", *[""] * (len(rows[0]) - 3)])  # bad reference
    bad.append(["G-0004", "A.1.1.1", "yes"])  # too few values
    old, new = import_both(ref_insp, new_insp, bad, monkeypatch)
    assert not new.ok and new.error_count == old.error_count >= 5
    assert new.errors == old.errors
    assert any("conflicting case details" in e for e in new.errors)
    assert not Case.objects.filter(inspection__in=[ref_insp, new_insp]).exists()
    assert not FindingsCount.objects.filter(inspection__in=[ref_insp, new_insp]).exists()


def test_the_demonstration_programme_exported_long_imports_identically(pair: Any, monkeypatch: Any) -> None:
    from caseassess.inspections.demo import load_demo
    from caseassess.reporting.dataexchange import long_rows

    load_demo()
    ref_insp, new_insp, ins = pair
    demo = list(Inspection.objects.exclude(pk__in=[ref_insp.pk, new_insp.pk]).order_by("fieldwork_start"))
    detail_ids = [f.id for f in ins.case_details]
    details = {(c.inspection_id, c.case_ref): c.details for c in Case.objects.filter(inspection__in=demo)}
    rows: list[list[str]] = [["case_ref", "question_id", "answer", "scoring", *detail_ids]]
    seen: set[str] = set()
    for insp in demo:
        for name, _area, ref, qid, value, scoring in long_rows(inspections=[insp]):
            key = f"{name[:3]}{ref}"
            d = details[(insp.pk, ref)] if key not in seen else {}
            seen.add(key)
            rows.append([key, qid, value, scoring, *(cell(d.get(f)) for f in detail_ids)])
    assert len(rows) > 1000
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    parsed = list(csv.reader(io.StringIO(buf.getvalue())))
    old, new = import_both(ref_insp, new_insp, parsed, monkeypatch)
    assert new.ok
    assert_same(ref_insp, new_insp, old, new)
    old, new = import_both(ref_insp, new_insp, parsed, monkeypatch)
    assert new.ok and new.answers_created == new.answers_updated == 0
    assert_same(ref_insp, new_insp, old, new)


def test_an_import_into_an_inspection_with_counted_cases_adds_its_increments_to_a_current_table(pair: Any, monkeypatch: Any) -> None:
    """The count table was current (built by a report) before the import: the import adds its
    differences to it (before/after per case), and the result equals a rebuild."""
    ref_insp, new_insp, ins = pair
    rows, _ = generated(ins, seed=21, n=12)
    assert importing.assessments_import_csv(inspection=new_insp, actor=None, rows=iter(rows)).ok
    counts.counts_rebuild(inspection_id=new_insp.pk)
    before = table(new_insp)
    more, _ = generated(ins, seed=22, n=12)  # the same references, other answers and details
    result = importing.assessments_import_csv(inspection=new_insp, actor=None, rows=iter(more))
    assert result.ok and result.counts_kept and result.cases_updated > 0
    kept = table(new_insp)
    assert kept != before
    counts.counts_rebuild(inspection_id=new_insp.pk)
    assert table(new_insp) == kept


def _path_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    p = tmp_path / "answers.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return p
