"""The findings count table always equals the answers it counts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from caseassess.assessments import services
from caseassess.assessments.models import Assessment, Status
from caseassess.inspections.models import Case, Inspection
from caseassess.inspections.services import case_add
from caseassess.reporting import counts
from caseassess.reporting.models import FindingsCount, FindingsCountState
from caseassess.reporting.selectors import (
    ANNEX_FIELDS,
    STANDARD,
    answer_counts,
    answer_counts_live,
    case_counts,
    case_counts_live,
)

pytestmark = pytest.mark.django_db

MINI_FIELDS = ("rosh_at_start", "gender", "sentence_type")


def assert_table_equals_answers(inspections: list[Any], fields: tuple[str, ...] = counts.COUNTED_FIELDS) -> None:
    for by in (None, "area", *fields):
        table = sorted(answer_counts(inspections=inspections, by=by), key=repr)
        live = sorted(answer_counts_live(inspections=inspections, by=by), key=repr)
        assert table == live, f"counts by {by}"
    assert sorted(case_counts(inspections=inspections, fields=fields), key=repr) == sorted(
        case_counts_live(inspections=inspections, fields=fields), key=repr)


def test_every_single_choice_case_detail_is_counted_including_every_standard_table_and_annex_characteristic() -> None:
    from django.conf import settings

    from caseassess_core.instrument.loader import load_instrument

    ins = load_instrument(settings.INSTRUMENTS_DIR / "iaow-2013-10").instrument
    fields = counts.counted_fields(ins)
    assert set(fields) == {f.id for f in ins.case_details if f.type.value == "single_choice"}
    assert len(fields) == 22 and {"report_type", "mappa_category", "ppo", "principal_offence"} <= set(fields)
    assert {d.field for d in STANDARD} | set(ANNEX_FIELDS) | set(counts.COUNTED_FIELDS) <= set(fields)


def test_the_table_equals_the_answers_for_every_field_on_the_demonstration_programme() -> None:
    from caseassess.inspections.demo import load_demo

    load_demo()
    inspections = list(Inspection.objects.all())
    assert inspections
    assert_table_equals_answers(inspections)
    for insp in inspections:
        assert_table_equals_answers([insp])
    assert FindingsCountState.objects.count() == len(inspections)


def _answer_all(a: Any, actor: Any, b411: str) -> None:
    for section, values in (("A.1.1", {"A.1.1.4": "yes"}), ("B.4.1", {"B.4.1.1": b411, "B.4.1.6": "na"}),
                            ("D.2.2", {"D.2.2.8": "no", "D.2.2.9": "Seen weekly"})):
        r = services.assessment_save_section(assessment=a, actor=actor, section_id=section, values=values, comments={}, base_versions={}, client_stamp=0)
        assert r.ok, r.errors


@pytest.fixture
def three_cases(inspection: Any, users: dict[str, Any]) -> list[Any]:
    out = []
    for ref, rosh, gender, ans in (("C1", "high", "male", "yes"), ("C2", "low", "female", "no"), ("C3", "medium", "male", "yes")):
        case = case_add(inspection=inspection, actor=users["lead"], case_ref=ref, assessor=users["assessor"],
                        details={"rosh_at_start": rosh, "gender": gender, "report_type": "standard_delivery", "sentence_type": "community_order"})
        a = case.assessments.get()
        _answer_all(a, users["assessor"], ans)
        out.append(a)
    return out


def test_submit_return_sign_off_and_a_leads_case_detail_change_update_the_table_by_increments(
    inspection: Any, users: dict[str, Any], three_cases: list[Any], monkeypatch: Any
) -> None:
    assert_table_equals_answers([inspection], MINI_FIELDS)  # built once, from nothing counted
    rebuilds: list[int] = []
    real = counts.counts_rebuild
    monkeypatch.setattr(counts, "counts_rebuild", lambda **kw: rebuilds.append(kw["inspection_id"]) or real(**kw))
    a1, a2, a3 = three_cases
    for a in three_cases:
        assert not services.assessment_submit(assessment=a, actor=users["assessor"]).any
        assert_table_equals_answers([inspection], MINI_FIELDS)
    cells = {(r.question_id, r.group, r.scoring): r.n for r in answer_counts(inspections=[inspection], by="rosh_at_start")}
    assert cells[("B.4.1.1", "high", "sufficient")] == 1 and cells[("B.4.1.1", "low", "insufficient")] == 1
    services.assessment_return(assessment=a2, actor=users["lead"], reason="Check B.4.1.1")
    assert_table_equals_answers([inspection], MINI_FIELDS)
    assert ("B.4.1.1", None, "insufficient") not in {(r.question_id, r.group, r.scoring) for r in answer_counts(inspections=[inspection], by=None)}
    assert not services.assessment_submit(assessment=a2, actor=users["assessor"]).any
    services.assessment_sign_off(assessment=a1, actor=users["lead"])
    assert_table_equals_answers([inspection], MINI_FIELDS)
    # A lead corrects the RoSH level of a signed-off case: the case moves subgroup.
    case = Case.objects.get(pk=a1.case_id)
    r = services.case_details_save(case=case, actor=users["lead"], values={"rosh_at_start": "low"}, base_version=case.details_version)
    assert r.changed == ["rosh_at_start"]
    assert_table_equals_answers([inspection], MINI_FIELDS)
    cells = {(r.question_id, r.group, r.scoring): r.n for r in answer_counts(inspections=[inspection], by="rosh_at_start")}
    assert ("B.4.1.1", "high", "sufficient") not in cells and cells[("B.4.1.1", "low", "sufficient")] == 1
    annex = {(c.field, c.value): c.n_cases for c in case_counts(inspections=[inspection], fields=["rosh_at_start"])}
    assert annex == {("rosh_at_start", "low"): 2, ("rosh_at_start", "medium"): 1}
    assert rebuilds == []  # every change above went by increments


def test_a_write_that_bypasses_the_services_is_caught_by_the_state_and_rebuilt(
    inspection: Any, users: dict[str, Any], three_cases: list[Any], monkeypatch: Any
) -> None:
    for a in three_cases:
        services.assessment_submit(assessment=a, actor=users["assessor"])
    assert_table_equals_answers([inspection], MINI_FIELDS)
    rebuilds: list[int] = []
    real = counts.counts_rebuild
    monkeypatch.setattr(counts, "counts_rebuild", lambda **kw: rebuilds.append(kw["inspection_id"]) or real(**kw))
    Assessment.objects.filter(pk=three_cases[0].pk).update(status=Status.RETURNED)  # no service, no updated_at
    assert_table_equals_answers([inspection], MINI_FIELDS)
    assert rebuilds == [inspection.pk]
    Case.objects.filter(pk=three_cases[1].case_id).update(details={"rosh_at_start": "very_high", "gender": "female"}, details_version=F("details_version") + 1)
    assert_table_equals_answers([inspection], MINI_FIELDS)
    assert rebuilds == [inspection.pk, inspection.pk]


def test_an_increment_on_counts_that_are_not_current_is_left_to_the_rebuild(
    inspection: Any, users: dict[str, Any], three_cases: list[Any]
) -> None:
    assert_table_equals_answers([inspection], MINI_FIELDS)
    Assessment.objects.filter(pk=three_cases[0].pk).update(status=Status.SUBMITTED)  # bypass: state now stale
    services.assessment_submit(assessment=three_cases[1], actor=users["assessor"])  # must not increment a stale table
    assert_table_equals_answers([inspection], MINI_FIELDS)


def test_the_check_command_finds_a_corrupted_count_and_the_rebuild_command_repairs_it(
    inspection: Any, users: dict[str, Any], three_cases: list[Any]
) -> None:
    for a in three_cases:
        services.assessment_submit(assessment=a, actor=users["assessor"])
    out = io.StringIO()
    call_command("rebuild_findings_counts", "--check", stdout=out)
    assert "matches the answers of 1 inspection" in out.getvalue()
    row = FindingsCount.objects.filter(inspection=inspection, field="gender", question_id="B.4.1.1").first()
    FindingsCount.objects.filter(pk=row.pk).update(n=F("n") + 1)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("rebuild_findings_counts", "--check", stdout=io.StringIO(), stderr=err)
    assert "counts by gender differ" in err.getvalue()
    out = io.StringIO()
    call_command("rebuild_findings_counts", "--inspection", inspection.name, stdout=out)
    assert "count rows" in out.getvalue()
    call_command("rebuild_findings_counts", "--check", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no inspection matches inspection 'Nowhere'"):
        call_command("rebuild_findings_counts", "--inspection", "Nowhere")


def test_an_import_leaves_the_table_current(inspection: Any, users: dict[str, Any], tmp_path: Any) -> None:
    from caseassess.reporting.dataexchange import assessments_import_file

    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(
        "case_ref,question_id,answer,rosh_at_start,gender,report_type\n"
        "IMP-1,B.4.1.1,yes,high,male,none\nIMP-1,D.2.2.8,no,high,male,none\n"
        "IMP-2,B.4.1.1,no,low,female,none\nIMP-2,D.2.2.8,yes,low,female,none\n",
        encoding="utf-8",
    )
    result = assessments_import_file(inspection=inspection, actor=users["lead"], path=csv_path)
    assert result.ok, result.errors
    state = FindingsCountState.objects.get(inspection=inspection)
    assert state.state == counts.current_states([inspection.pk])[inspection.pk]  # rebuilt by the import itself
    assert_table_equals_answers([inspection], MINI_FIELDS)
    csv_path.write_text("case_ref,question_id,answer,rosh_at_start\nIMP-1,B.4.1.1,no,medium\n", encoding="utf-8")
    assert assessments_import_file(inspection=inspection, actor=users["lead"], path=csv_path).ok
    assert_table_equals_answers([inspection], MINI_FIELDS)
    cells = {(r.question_id, r.group, r.scoring): r.n for r in answer_counts(inspections=[inspection], by="rosh_at_start")}
    assert cells[("B.4.1.1", "medium", "insufficient")] == 1 and ("B.4.1.1", "high", "sufficient") not in cells
