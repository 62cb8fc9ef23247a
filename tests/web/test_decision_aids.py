from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from caseassess.assessments import services
from tests.web.conftest import client_for

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

    from caseassess.inspections.models import Inspection, Programme
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load

    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.create(
        programme=Programme.objects.create(name="IAOW"), name="IAOW Rules", area="Rules Trust",
        fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=version,
    )
    insp.members.add(users["assessor"], users["lead"])
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
