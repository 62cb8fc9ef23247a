"""Denser assessor pages (issue 11, item 9): inline radios for two or three short options,
the quick indicator and extended guidance beside the answer, no "saved" banner pushing the
next section down, questions that start to apply on the same page asked at once, and check
your answers in collapsible sections with Submit and the blockers at the top and bottom."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from caseassess.assessments.selectors import answered_on_the_page
from caseassess_core.instrument.loader import load_instrument
from tests.web.conftest import client_for
from tests.web.test_assessment_workflow import save

pytestmark = pytest.mark.django_db


def section_page(assessment: Any, user: Any, section: str) -> str:
    return client_for(user).get(reverse("assessments:section", args=[assessment.pk, section])).content.decode()


def radios_class(page: str, qid: str) -> str:
    m = re.search(r'<div class="(govuk-radios[^"]*)"[^>]*>\s*<div class="govuk-radios__item">\s*<input[^>]*name="q-' + re.escape(qid) + '"', page)
    assert m, qid
    return m.group(1)


def test_two_or_three_short_options_are_inline_radios(assessment: Any, users: dict[str, Any]) -> None:
    page = section_page(assessment, users["assessor"], "B.4.1")
    assert "govuk-radios--inline" in radios_class(page, "B.4.1.1")  # Yes / No
    assert "govuk-radios--inline" in radios_class(page, "B.4.1.6")  # Yes / No / Not applicable


def test_four_options_are_not_inline(assessment: Any, users: dict[str, Any]) -> None:
    page = client_for(users["assessor"]).get(reverse("assessments:case_details", args=[assessment.pk])).content.decode()
    m = re.search(r'<div class="(govuk-radios[^"]*)"[^>]*>\s*<div class="govuk-radios__item">\s*<input[^>]*name="d-rosh_at_start"', page)
    assert m and "govuk-radios--inline" not in m.group(1)


def test_the_quick_indicator_and_guidance_sit_beside_the_answer(assessment: Any, users: dict[str, Any]) -> None:
    page = section_page(assessment, users["assessor"], "A.1.1")
    block = page[page.index('id="question-A_1_1_4"'):]
    block = block[: block.index("</form>")]
    answer, help_ = block.index("app-field__answer"), block.index("app-field__help")
    assert answer < block.index('name="q-A.1.1.4"') < help_
    assert 'class="govuk-hint govuk-!-font-size-16 app-quick-indicator"' in block[help_:]
    assert "Extended guidance for A.1.1.4" in block[help_:]
    # the fieldset is described by the quick indicator, wherever it sits
    assert 'aria-describedby="q-A_1_1_4-hint"' in block and 'id="q-A_1_1_4-hint"' in block


def test_save_and_continue_shows_no_saved_banner_on_the_next_section(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    url = reverse("assessments:section", args=[assessment.pk, "A.1.1"])
    r = c.post(url, {"q-A.1.1.4": "yes", "q-A.1.1.4-present": "1", "v-A.1.1.4": "0", "action": "continue"}, follow=True)
    assert r.redirect_chain[-1][0].endswith("/sections/B.4.1/")
    assert "govuk-notification-banner" not in r.content.decode()
    r = c.post(url, {"q-A.1.1.4": "no", "q-A.1.1.4-present": "1", "v-A.1.1.4": "1", "action": "return"}, follow=True)
    assert "A.1.1 saved" in r.content.decode()  # back on the task list, the banner is fine


def test_a_question_that_depends_on_a_later_answer_on_the_same_page_is_asked_at_once() -> None:
    ins = load_instrument(settings.INSTRUMENTS_DIR / "iaow-2013-10").instrument
    b41 = next(s for s in ins.sections() if s.id == "B.4.1")
    live = answered_on_the_page(b41)
    assert "B.4.1.14" in live  # applies when B.4.1.16 says the case is a MAPPA case
    assert "B.4.1.2" in live  # applies unless B.4.1.1 is "not completed"
    assert "B.4.1.1" not in live


def check_page(assessment: Any, user: Any, method: str = "get", data: dict[str, str] | None = None) -> tuple[int, str]:
    c = client_for(user)
    url = reverse("assessments:check", args=[assessment.pk])
    r = c.post(url, data or {}) if method == "post" else c.get(url)
    return r.status_code, r.content.decode()


def test_check_your_answers_has_submit_and_the_blockers_at_the_top_and_the_bottom(assessment: Any, users: dict[str, Any]) -> None:
    save(assessment, users["assessor"], "A.1.1", {"A.1.1.4": "yes"})
    _, page = check_page(assessment, users["assessor"])
    submits = [m.start() for m in re.finditer(r'name="action" value="submit"', page)]
    assert len(submits) == 2
    first_section = page.index('class="govuk-details app-cya-section"')
    assert submits[0] < first_section < submits[1]
    # the same blocker, linking to the first unanswered question, above and below the answers
    link = reverse("assessments:section", args=[assessment.pk, "B.4.1"]) + "#question-B_4_1_1"
    places = [m.start() for m in re.finditer(re.escape(f'href="{link}">Complete B.4.1'), page)]
    assert len(places) == 2 and places[0] < first_section < places[1]
    assert "Complete B.4.1 Assessment and planning to minimise Risk of Harm to others: B.4.1.1 is not answered" in page


def test_the_submit_button_at_the_top_submits_the_explanations_form(assessment: Any, users: dict[str, Any]) -> None:
    _, page = check_page(assessment, users["assessor"])
    top = page[: page.index('class="govuk-details app-cya-section"')]
    assert 'form="check-form"' in top and 'id="check-form"' in page


def test_answers_are_grouped_in_collapsible_sections(assessment: Any, users: dict[str, Any]) -> None:
    _, page = check_page(assessment, users["assessor"])
    assert page.count('<details class="govuk-details app-cya-section"') == 1 + 3  # case details + A.1.1, B.4.1, D.2.2


def test_the_confirmation_page_after_submission_says_what_happens_next(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services

    a = users["assessor"]
    save(assessment, a, "A.1.1", {"A.1.1.4": "yes"})
    save(assessment, a, "B.4.1", {"B.4.1.1": "yes", "B.4.1.6": "yes"})
    save(assessment, a, "D.2.2", {"D.2.2.8": "yes"})
    r = client_for(a).post(reverse("assessments:check", args=[assessment.pk]), {"action": "submit"}, follow=True)
    assert services.Assessment.objects.get(pk=assessment.pk).status == "submitted"
    assert r.redirect_chain[-1][0] == reverse("assessments:submitted", args=[assessment.pk])
    assert "Assessment submitted" in r.content.decode() and "What happens next" in r.content.decode()
