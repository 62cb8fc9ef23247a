"""The case history and dates in people's words (issue 11, item 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from caseassess.assessments import services
from caseassess.govuk.jinja import date_filter, datetime_filter, people_text
from tests.web.conftest import client_for
from tests.web.test_assessment_workflow import save

pytestmark = pytest.mark.django_db


def test_dates_read_as_people_write_them() -> None:
    assert date_filter(dt.date(2011, 3, 26)) == "26 March 2011"
    assert date_filter("2011-03-06") == "6 March 2011"
    assert date_filter(None) == "" and date_filter("not a date") == "not a date"
    assert datetime_filter(dt.datetime(2011, 3, 26, 14, 5, tzinfo=dt.UTC)).startswith("26 March 2011 at ")


def test_editorial_notes_are_left_out_of_the_wording() -> None:
    text = "Did sentence planning take into account diversity factors? [Not described in the guide: wording reconstructed]"
    assert people_text(text) == "Did sentence planning take into account diversity factors?"


def test_the_history_says_what_happened_in_words(assessment: Any, users: dict[str, Any]) -> None:
    a = users["assessor"]
    save(assessment, a, "A.1.1", {"A.1.1.4": "yes"})
    save(assessment, a, "B.4.1", {"B.4.1.1": "yes", "B.4.1.6": "no"})
    save(assessment, a, "D.2.2", {"D.2.2.8": "yes"})
    services.assessment_explain(assessment=assessment, actor=a, explanations={"CR01": "Contact was right."})
    assert not services.assessment_submit(assessment=assessment, actor=a).any
    services.assessment_return(assessment=assessment, actor=users["lead"], reason="Check B.4.1.6")
    page = client_for(users["lead"]).get(reverse("assessments:history", args=[assessment.case_id])).content.decode()
    for words in (
        "Submitted", "Returned for changes", "In progress",
        "Explained warning: Sufficient contact (D.2.2.8) usually follows a sufficient RoH analysis (B.4.1.6)",
        "Answer to B.4.1.1", "Case added",
    ):
        assert words in page, words
    for code in ("status:submitted", "status:returned", "explain_warning", "CR01", "case_add", "in_progress"):
        assert code not in page, code
    today = dt.date.today()
    assert f"{today.day} {today:%B %Y} at " in page and today.isoformat() not in page


def test_the_history_shows_answer_labels_not_stored_values(assessment: Any, users: dict[str, Any]) -> None:
    save(assessment, users["assessor"], "B.4.1", {"B.4.1.6": "na"})
    page = client_for(users["lead"]).get(reverse("assessments:history", args=[assessment.case_id])).content.decode()
    from caseassess.instruments.selectors import instrument_get

    ins = instrument_get(version=assessment.case.inspection.instrument)
    label = next(o.label for o in ins.options_for(ins.question("B.4.1.6")) if o.value == "na")
    assert label in page and ">na<" not in page


def test_a_comment_edit_reads_as_a_comment_on_the_question(assessment: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments import services as s

    s.assessment_save_section(assessment=assessment, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.6": "yes"},
                              comments={"B.4.1.6": "Analysis dated 3 May"}, base_versions={}, client_stamp=0)
    page = client_for(users["lead"]).get(reverse("assessments:history", args=[assessment.case_id])).content.decode()
    assert "Comment on B.4.1.6" in page and "Analysis dated 3 May" in page and ">Comment<" not in page
