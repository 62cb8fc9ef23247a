from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from caseassess.assessments import services
from tests.web.conftest import add_members, client_for

pytestmark = pytest.mark.django_db

STATUTORY_TIER4 = {
    "sentence_type": "licence_determinate",
    "custodial_length_months": 24,
    "schedule15_offence": "p1-07",
    "rosh_at_start": "high",
    "ppo": "yes",
}


@pytest.fixture
def iaow_assessment(users: dict[str, Any]) -> Any:
    import datetime as dt

    from caseassess.inspections.models import Area, Inspection, Programme
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load

    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.create(
        programme=Programme.objects.create(name="IAOW"), name="IAOW Rules", area=Area.objects.create(name="Rules Trust"),
        fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=version,
    )
    add_members(insp, users, assessor="assessor", lead="lead_inspector")
    case = case_add(inspection=insp, actor=users["lead"], case_ref="RUL-1", assessor=users["assessor"], details=dict(STATUTORY_TIER4))
    return case.assessments.get()


def test_statutory_victim_and_tier_4_suggestions_show_beside_the_right_fields(iaow_assessment: Any, users: dict[str, Any]) -> None:
    html = client_for(users["assessor"]).get(f"/assessments/{iaow_assessment.pk}/case-details/").content.decode()
    victim = html.index('id="field-statutory_victim_case"')
    tier = html.index('id="field-tier"')
    assert "Suggestion from the Statutory victim contact rule" in html[victim : victim + 6000]
    assert "at least Tier 4" in html[tier : tier + 6000]


def test_a_suggestion_never_fills_in_the_answer(iaow_assessment: Any) -> None:
    iaow_assessment.case.refresh_from_db()
    assert "statutory_victim_case" not in iaow_assessment.case.details
    assert not iaow_assessment.answers.exists()


def test_an_answer_that_differs_from_a_rule_is_shown_on_check_your_answers(iaow_assessment: Any, users: dict[str, Any]) -> None:
    res = services.case_details_save(case=iaow_assessment.case, actor=users["assessor"], values={"statutory_victim_case": "no"}, base_version=0)
    assert res.ok
    html = client_for(users["assessor"]).get(f"/assessments/{iaow_assessment.pk}/check/").content.decode()
    assert "Where your answers differ from the decision aids" in html
    assert "the Statutory victim contact rule suggests" in html
    lead_html = client_for(users["lead"]).get(f"/inspections/{iaow_assessment.case.inspection_id}/").content.decode()
    assert "Answers that differ from the decision aids" in lead_html and "RUL-1" in lead_html


def test_explain_rules_prints_every_rule_with_its_reasons(iaow_assessment: Any) -> None:
    out = StringIO()
    call_command("explain_rules", "--case", "RUL-1", stdout=out)
    text = out.getvalue()
    assert "Statutory victim contact" in text and "tier_4" in text and "Schedule 15" in text


def test_explain_rules_names_a_missing_case() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No case 'NOPE'"):
        call_command("explain_rules", "--case", "NOPE")


# --- Timescales: dates recorded in the case details, suggestions beside C.2.1.3, C.2.1.8, D.2.2.8 ---

HIGH_ROSH_CO = {
    "sentence_type": "community_order", "requirements": ["supervision"], "rosh_at_start": "high",
    "report_type": "standard_delivery",
    "sentence_date": "2013-12-24", "supervision_start_date": "2013-12-24",
    "first_appointment_date": "2013-12-31",  # due 2013-12-30: Christmas, Boxing Day and the weekend skipped
    "sentence_plan_date": "2014-01-10",  # due 2014-01-17
    "contact_weeks_checked": 20, "contact_weeks_with_contact": 18,
}


@pytest.fixture
def timescale_assessment(iaow_assessment: Any, users: dict[str, Any]) -> Any:
    from caseassess.inspections.services import case_add

    case = case_add(inspection=iaow_assessment.case.inspection, actor=users["lead"], case_ref="TIM-1", assessor=users["assessor"],
                    details=dict(HIGH_ROSH_CO))
    return case.assessments.get()


def _question_html(html: str, qid: str) -> str:
    start = html.index(f'id="question-{qid.replace(".", "_")}"')
    end = html.find('class="app-question"', start + 10)
    return html[start : end if end > 0 else len(html)]


def _save(assessment: Any, actor: Any, section_id: str, values: dict[str, Any]) -> None:
    r = services.assessment_save_section(assessment=assessment, actor=actor, section_id=section_id, values=values, comments={},
                                         base_versions={}, client_stamp=0)
    assert r.ok, r


def test_the_case_details_page_offers_the_timescale_dates_and_counts(timescale_assessment: Any, users: dict[str, Any]) -> None:
    html = client_for(users["assessor"]).get(f"/assessments/{timescale_assessment.pk}/case-details/").content.decode()
    for fid in ("first_appointment_date", "sentence_plan_date", "contact_weeks_checked", "contact_weeks_with_contact"):
        assert f'name="d-{fid}"' in html
    assert 'value="2013-12-31"' in html
    assert "Used by the first appointment timescale (C.2.1.3)" in html  # the field's hint is shown


def test_each_timescale_shows_beside_the_question_it_informs_with_its_due_date(timescale_assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    html = c.get(f"/assessments/{timescale_assessment.pk}/sections/C.2.1/").content.decode()
    first = _question_html(html, "C.2.1.3")
    assert "Suggestion from the First appointment timescale rule" in first
    assert "Due date: Monday 30 December 2013 (not met)" in first
    assert "First appointment date 31 December 2013 &gt; due 30 December 2013" in first  # the reason, under "Why"
    plan = _question_html(html, "C.2.1.8")
    assert "Suggestion from the Sentence plan timescale rule" in plan
    assert "Due date: Friday 17 January 2014 (met)" in plan
    assert "First appointment timescale" not in plan
    delivery = c.get(f"/assessments/{timescale_assessment.pk}/sections/D.2.2/").content.decode()
    contact = _question_html(delivery, "D.2.2.8")
    assert "Suggestion from the Weekly contact (high / very high RoSH) rule" in contact
    assert "No contact was arranged in 2 of the 20 weeks checked" in contact


def test_a_timescale_without_its_date_shows_the_due_date_and_asks_for_the_date(iaow_assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.inspections.services import case_add

    details = {k: v for k, v in HIGH_ROSH_CO.items() if k != "first_appointment_date"}
    case = case_add(inspection=iaow_assessment.case.inspection, actor=users["lead"], case_ref="TIM-2", assessor=users["assessor"], details=details)
    html = client_for(users["assessor"]).get(f"/assessments/{case.assessments.get().pk}/sections/C.2.1/").content.decode()
    first = _question_html(html, "C.2.1.3")
    assert "Due by 30 December 2013; record the date to check it." in first
    assert "Due date: Monday 30 December 2013" in first


def test_a_missed_timescale_answered_yes_is_a_disagreement_and_a_met_one_is_not(timescale_assessment: Any, users: dict[str, Any]) -> None:
    _save(timescale_assessment, users["assessor"], "C.2.1", {"C.2.1.3": "yes", "C.2.1.8": "yes"})
    _save(timescale_assessment, users["assessor"], "D.2.2", {"D.2.2.8": "yes"})
    html = client_for(users["assessor"]).get(f"/assessments/{timescale_assessment.pk}/check/").content.decode()
    section = html[html.index('id="disagreements"') :]
    assert "the First appointment timescale rule suggests “No”" in section
    assert "the Weekly contact (high / very high RoSH) rule suggests “No”" in section
    assert "Sentence plan timescale" not in section  # met: nothing to check
    lead_html = client_for(users["lead"]).get(f"/inspections/{timescale_assessment.case.inspection_id}/").content.decode()
    table = lead_html[lead_html.index("Answers that differ from the decision aids") :]
    assert "First appointment timescale" in table and "TIM-1" in table


def test_a_missed_timescale_answered_no_is_not_a_disagreement(timescale_assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments.rules import disagreements
    from caseassess.instruments.selectors import instrument_get

    _save(timescale_assessment, users["assessor"], "C.2.1", {"C.2.1.3": "no"})
    ins = instrument_get(version=timescale_assessment.case.inspection.instrument)
    found = disagreements(ins, dict(HIGH_ROSH_CO), {"C.2.1.3": "no", "C.2.1.8": "planning_not_completed", "D.2.2.8": "no"})
    assert [d.rule.rule_id for d in found] == []
    late_plan = dict(HIGH_ROSH_CO, sentence_plan_date="2014-01-20")
    found = disagreements(ins, late_plan, {"C.2.1.8": "planning_not_completed"})
    assert found == []
    found = disagreements(ins, late_plan, {"C.2.1.8": "yes"})
    assert [(d.target, d.expected) for d in found] == [("C.2.1.8", "no")]


def test_explain_rules_prints_the_timescales_from_the_recorded_dates(timescale_assessment: Any) -> None:
    out = StringIO()
    call_command("explain_rules", "--case", "TIM-1", stdout=out)
    text = out.getvalue()
    first = next(b for b in text.split("\n\n") if "[timescale_first_appointment]" in b)
    assert "outcome: not_met" in first and "due: 2013-12-30" in first and "First appointment date 31 December 2013 > due 30 December 2013" in first
    plan = next(b for b in text.split("\n\n") if "[timescale_sentence_plan]" in b)
    assert "outcome: met" in plan and "due: 2014-01-17" in plan and "Counted from the sentence date, 24 December 2013" in plan
    weekly = next(b for b in text.split("\n\n") if "[timescale_weekly_contact]" in b)
    assert "outcome: not_met" in weekly and "Contact arranged in 18 of the 20 weeks checked from 24 December 2013" in weekly


def test_an_offence_outside_schedule_15_shows_the_assessor_decides_beside_q11(iaow_assessment: Any, users: dict[str, Any]) -> None:
    case = iaow_assessment.case
    case.details = {**case.details, "schedule15_offence": "none", "sex_offender_notification": "no", "offence_against_child": "no"}
    case.save()
    html = client_for(users["assessor"]).get(f"/assessments/{iaow_assessment.pk}/case-details/").content.decode()
    victim = html[html.index('id="field-statutory_victim_case"'):][:6000]
    assert "Unknown – the assessor decides" in victim
    assert "Q11 would be &#39;No&#39;" not in victim and "Q11 would be 'No'" not in victim
