"""One case's assessment against its instrument (caseassess_core.scoring.assess):
applicability chains driven by answers, consistency warnings, section status and the
validation of submitted answers. Every expected value is worked out by hand from the small
instrument below."""

from __future__ import annotations

import re

import pytest

from caseassess_core.instrument.schema import (
    AnswerType,
    CaseDetailField,
    ConsistencyRule,
    Instrument,
    Option,
    Question,
    Scoring,
    Section,
    Table,
    View,
)
from caseassess_core.scoring.assess import (
    AnswerError,
    Applicability,
    RuleWarning,
    applicability,
    clean_answer,
    consistency_warnings,
    scoring_of,
    section_status,
    unanswered,
)

YES_NO = [Option(value="yes", label="Yes", scoring=Scoring.SUFFICIENT), Option(value="no", label="No", scoring=Scoring.INSUFFICIENT)]
YES_NO_NA = [*YES_NO, Option(value="na", label="Not applicable", scoring=Scoring.EXCLUDED)]


def chain_instrument() -> Instrument:
    """B.4.1.1 -> B.4.1.2 -> B.4.1.3: each follow-up applies only when the one before was
    answered "yes". A.1.1 applies to oral reports only. E.1.1 holds one question of each type."""
    return Instrument(
        id="chain-1",
        title="Chain",
        version="1",
        option_sets={"yes_no": YES_NO, "yes_no_na": YES_NO_NA},
        case_details=[
            CaseDetailField(id="report_type", number="9", label="Report type", type=AnswerType.SINGLE_CHOICE,
                            options=[Option(value="oral", label="Oral"), Option(value="standard_delivery", label="Standard delivery")]),
            CaseDetailField(id="ogrs_score", label="OGRS 3 score", type=AnswerType.NUMBER, min=0, max=100),
            CaseDetailField(id="licence_weeks", number="14", label="Weeks on licence", type=AnswerType.NUMBER, min=1),
            CaseDetailField(id="sentence_date", label="Date of sentence", type=AnswerType.DATE),
            CaseDetailField(id="contact_hours", label="Contact hours a week", type=AnswerType.NUMBER, min=0.5, max=37.5),
            CaseDetailField(id="tier", label="Tier", type=AnswerType.SINGLE_CHOICE, table="tiers"),
        ],
        views=[
            View(id="1", title="Assessment", sections=[
                Section(id="A.1.1", criterion="1.1", title="Oral reports", questions=[
                    Question(id="A.1.1.3", text="Was there a written copy of the oral report?", options="yes_no",
                             applies_when="case.report_type == 'oral'", not_applicable_reason="Only asked for oral reports"),
                    Question(id="A.1.1.9", text="Comments on the oral report", type=AnswerType.TEXT,
                             applies_when="case.report_type == 'oral'"),
                ]),
                Section(id="B.4.1", criterion="4.1", title="Risk of Harm", questions=[
                    Question(id="B.4.1.1", text="Was there a RoSH screening?", options="yes_no"),
                    Question(id="B.4.1.2", text="Was the screening timely?", options="yes_no_na",
                             applies_when="answer('B.4.1.1') == 'yes'", not_applicable_reason="Only where there was a screening"),
                    Question(id="B.4.1.3", text="Did a full analysis follow a timely screening?", options="yes_no",
                             applies_when="answer('B.4.1.2') == 'yes'"),
                ]),
                Section(id="E.1.1", criterion="1.1", title="Other kinds of answer", questions=[
                    Question(id="E.1.1.1", text="How many contacts?", type=AnswerType.NUMBER),
                    Question(id="E.1.1.2", text="Date of the first contact", type=AnswerType.DATE),
                    Question(id="E.1.1.3", text="Comments", type=AnswerType.TEXT),
                    Question(id="E.1.1.4", text="Which interventions?", type=AnswerType.MULTIPLE_CHOICE,
                             options=[Option(value="accommodation", label="Accommodation"), Option(value="ete", label="ETE"),
                                      Option(value="substance_misuse", label="Substance misuse")]),
                ]),
                Section(id="F.1.1", criterion="1.1", title="Unscored", questions=[
                    Question(id="F.1.1.1", text="Was the case transferred in?", options="yes_no", scored=False),
                ]),
            ]),
        ],
        tables=[Table(id="tiers", title="Tiers", columns=["id", "label"], rows=[{"id": 1, "label": "Tier 1"}, {"id": 2, "label": "Tier 2"}])],
        consistency_rules=[
            ConsistencyRule(id="CR01", when="answer('B.4.1.3') == 'no'", expect="answer('B.4.1.2') == 'no'",
                            message="No full analysis (B.4.1.3) usually follows a screening that was not timely (B.4.1.2)",
                            questions=["B.4.1.3", "B.4.1.2"]),
            ConsistencyRule(id="CR02", when="answer('E.1.1.1') == 0", expect="case.report_type == 'oral'",
                            message="No contacts (E.1.1.1) is only expected where the report was oral", questions=["E.1.1.1"]),
            ConsistencyRule(id="CR03", when="case.report_type == 'oral'", expect="answered('A.1.1.9')",
                            message="Say what the oral report covered (A.1.1.9)", questions=["A.1.1.9"]),
        ],
    )


INS = chain_instrument()
STANDARD = {"report_type": "standard_delivery"}
ORAL = {"report_type": "oral"}


def section(sid: str) -> Section:
    return next(s for s in INS.sections() if s.id == sid)


def question(qid: str) -> Question:
    return INS.question(qid)


# --- applicability ------------------------------------------------------------------


def test_every_link_of_the_chain_applies_when_each_answer_before_it_is_yes() -> None:
    applies = applicability(INS, STANDARD, {"B.4.1.1": "yes", "B.4.1.2": "yes", "B.4.1.3": "no"})
    assert [applies[q].applies for q in ("B.4.1.1", "B.4.1.2", "B.4.1.3")] == [True, True, True]


def test_a_no_at_the_start_of_the_chain_switches_off_every_question_after_it() -> None:
    # B.4.1.2 is still stored as "yes" (answered before B.4.1.1 changed to "no"), but it no
    # longer applies, so B.4.1.3, which reads it, sees it as missing.
    applies = applicability(INS, STANDARD, {"B.4.1.1": "no", "B.4.1.2": "yes", "B.4.1.3": "yes"})
    assert applies["B.4.1.1"] == Applicability(True)
    assert applies["B.4.1.2"] == Applicability(False, "Only where there was a screening")
    assert applies["B.4.1.3"] == Applicability(False, "Does not apply to this case (answer('B.4.1.2') == 'yes')")


def test_an_unanswered_question_switches_off_its_follow_up() -> None:
    applies = applicability(INS, STANDARD, {})
    assert applies["B.4.1.1"].applies is True
    assert applies["B.4.1.2"].applies is False
    assert applies["B.4.1.3"].applies is False


def test_a_not_applicable_answer_in_the_middle_ends_the_chain_there() -> None:
    applies = applicability(INS, STANDARD, {"B.4.1.1": "yes", "B.4.1.2": "na", "B.4.1.3": "yes"})
    assert (applies["B.4.1.2"].applies, applies["B.4.1.3"].applies) == (True, False)


def test_case_details_decide_the_questions_that_read_them() -> None:
    assert applicability(INS, ORAL, {})["A.1.1.3"] == Applicability(True)
    assert applicability(INS, STANDARD, {})["A.1.1.3"] == Applicability(False, "Only asked for oral reports")
    assert applicability(INS, {}, {})["A.1.1.3"].applies is False  # no report type recorded yet


def test_the_chain_is_followed_whatever_order_the_instrument_lists_the_questions_in() -> None:
    reordered = chain_instrument()
    qs = reordered.views[0].sections[1].questions
    qs.reverse()  # B.4.1.3, B.4.1.2, B.4.1.1: each question is visited before the one it reads
    answers = {"B.4.1.1": "no", "B.4.1.2": "yes", "B.4.1.3": "yes"}
    got = {q: a.applies for q, a in applicability(reordered, STANDARD, answers).items() if q.startswith("B.")}
    assert got == {"B.4.1.1": True, "B.4.1.2": False, "B.4.1.3": False}


def test_the_chain_applies_throughout_when_listed_backwards_and_every_answer_is_yes() -> None:
    reordered = chain_instrument()
    reordered.views[0].sections[1].questions.reverse()
    answers = {"B.4.1.1": "yes", "B.4.1.2": "yes", "B.4.1.3": "yes"}
    got = {q: a.applies for q, a in applicability(reordered, STANDARD, answers).items() if q.startswith("B.")}
    assert got == {"B.4.1.1": True, "B.4.1.2": True, "B.4.1.3": True}


def test_expressions_parsed_beforehand_are_the_ones_used() -> None:
    from caseassess_core.applicability.expression import parse

    # The web layer passes the instrument version's parsed expressions (parsed once per process).
    exprs = {"A.1.1.3": parse("case.report_type == 'standard_delivery'")}
    applies = applicability(INS, STANDARD, {}, exprs)
    assert applies["A.1.1.3"].applies is True
    assert applies["B.4.1.2"].applies is True  # not in the mapping: no condition at all


# --- consistency warnings -----------------------------------------------------------


def test_a_consistency_rule_fires_on_applicable_answers() -> None:
    answers = {"B.4.1.1": "yes", "B.4.1.2": "yes", "B.4.1.3": "no"}
    assert consistency_warnings(INS, STANDARD, answers) == [
        RuleWarning("CR01", "No full analysis (B.4.1.3) usually follows a screening that was not timely (B.4.1.2)", ("B.4.1.3", "B.4.1.2"))
    ]


def test_a_consistency_rule_holds_when_its_expectation_is_met() -> None:
    assert consistency_warnings(INS, STANDARD, {"B.4.1.1": "yes", "B.4.1.2": "no", "B.4.1.3": "no"}) == []


def test_a_consistency_rule_ignores_answers_to_questions_that_no_longer_apply() -> None:
    # B.4.1.3 = "no" is stored, but B.4.1.1 = "no" switched it off: no warning.
    answers = {"B.4.1.1": "no", "B.4.1.2": "yes", "B.4.1.3": "no"}
    assert consistency_warnings(INS, STANDARD, answers) == []
    # The same with the applicability passed in, as the pages do.
    assert consistency_warnings(INS, STANDARD, answers, applicability(INS, STANDARD, answers)) == []


def test_a_rule_reads_case_details_in_its_condition_and_its_expectation() -> None:
    none = {"E.1.1.1": "0"}
    assert [w.rule_id for w in consistency_warnings(INS, STANDARD, {"E.1.1.1": 0})] == ["CR02"]
    assert [w.rule_id for w in consistency_warnings(INS, {"report_type": "oral"}, {"E.1.1.1": 0, "A.1.1.9": "Seen"})] == []
    assert [w.rule_id for w in consistency_warnings(INS, ORAL, {})] == ["CR03"]
    assert consistency_warnings(INS, STANDARD, none) == []  # "0" is not the number 0


def test_answers_missing_from_the_applicability_passed_in_count_as_applicable() -> None:
    answers = {"B.4.1.1": "no", "B.4.1.2": "yes", "B.4.1.3": "no"}
    assert [w.rule_id for w in consistency_warnings(INS, STANDARD, answers, {})] == ["CR01"]
    a11 = section("A.1.1")
    assert section_status(a11, {}, {}) == "not_started"
    assert [q.id for q in unanswered(a11, {}, {})] == ["A.1.1.3"]
    assert section_status(a11, {}, {"A.1.1.3": "yes"}) == "completed"


# --- section status -------------------------------------------------------------------


def test_a_section_where_nothing_applies_is_completed_with_nothing_to_answer() -> None:
    applies = applicability(INS, STANDARD, {})
    assert section_status(section("A.1.1"), applies, {}) == "completed"
    assert unanswered(section("A.1.1"), applies, {}) == []


def test_a_section_that_applies_goes_from_not_started_to_in_progress_to_completed() -> None:
    a11 = section("A.1.1")
    assert section_status(a11, applicability(INS, ORAL, {}), {}) == "not_started"
    assert [q.id for q in unanswered(a11, applicability(INS, ORAL, {}), {})] == ["A.1.1.3"]
    # Free text is optional, but typing in it starts the section.
    touched = {"A.1.1.9": "Seen in the court file"}
    assert section_status(a11, applicability(INS, ORAL, touched), touched) == "in_progress"
    done = {"A.1.1.3": "no"}
    assert section_status(a11, applicability(INS, ORAL, done), done) == "completed"
    assert unanswered(a11, applicability(INS, ORAL, done), done) == []


def test_a_chain_switched_off_at_its_start_completes_the_section_with_one_answer() -> None:
    b41 = section("B.4.1")
    answers = {"B.4.1.1": "no"}
    applies = applicability(INS, STANDARD, answers)
    assert section_status(b41, applies, answers) == "completed"
    yes = {"B.4.1.1": "yes"}
    assert section_status(b41, applicability(INS, STANDARD, yes), yes) == "in_progress"
    assert [q.id for q in unanswered(b41, applicability(INS, STANDARD, yes), yes)] == ["B.4.1.2"]


def test_an_empty_string_is_not_an_answer() -> None:
    a11 = section("A.1.1")
    blank = {"A.1.1.3": ""}
    applies = applicability(INS, ORAL, blank)
    assert section_status(a11, applies, blank) == "not_started"
    assert [q.id for q in unanswered(a11, applies, blank)] == ["A.1.1.3"]


def test_an_empty_multiple_choice_answer_is_not_an_answer() -> None:
    e11 = section("E.1.1")
    applies = applicability(INS, STANDARD, {})
    assert section_status(e11, applies, {"E.1.1.4": []}) == "not_started"
    assert [q.id for q in unanswered(e11, applies, {"E.1.1.4": []})] == ["E.1.1.4"]
    assert section_status(e11, applies, {"E.1.1.4": ["ete"]}) == "completed"  # numbers, dates and text are optional


# --- scoring classes ------------------------------------------------------------------


def test_each_stored_answer_has_the_scoring_class_of_its_option() -> None:
    assert scoring_of(INS, question("B.4.1.2"), "yes") is Scoring.SUFFICIENT
    assert scoring_of(INS, question("B.4.1.2"), "no") is Scoring.INSUFFICIENT
    assert scoring_of(INS, question("B.4.1.2"), "na") is Scoring.EXCLUDED
    assert scoring_of(INS, question("B.4.1.2"), None) is None
    assert scoring_of(INS, question("B.4.1.2"), "") is None
    assert scoring_of(INS, question("B.4.1.2"), "maybe") is None
    assert scoring_of(INS, question("E.1.1.3"), "yes") is None  # text is never scored
    assert scoring_of(INS, question("F.1.1.1"), "yes") is None  # a choice question marked unscored


# --- clean_answer ---------------------------------------------------------------------


def test_an_empty_submission_means_not_answered() -> None:
    for raw in (None, "", []):
        assert clean_answer(INS, question("B.4.1.1"), raw) is None
        assert clean_answer(INS, question("E.1.1.4"), raw) is None


def test_a_single_choice_answer_must_be_one_of_the_options() -> None:
    assert clean_answer(INS, question("B.4.1.2"), "na") == "na"
    with pytest.raises(AnswerError, match=re.escape("B.4.1.2: choose one of the listed answers")):
        clean_answer(INS, question("B.4.1.2"), "maybe")
    with pytest.raises(AnswerError, match=re.escape("B.4.1.2: choose one of the listed answers")):
        clean_answer(INS, question("B.4.1.2"), ["yes", "no"])


def test_a_number_is_stored_as_a_whole_number_when_it_is_one() -> None:
    q = question("E.1.1.1")
    assert clean_answer(INS, q, " 12 ") == 12
    assert clean_answer(INS, q, "12.5") == 12.5
    seven = clean_answer(INS, q, "7.0")
    assert seven == 7 and isinstance(seven, int)
    assert clean_answer(INS, q, "-3") == -3  # no limits on this question
    with pytest.raises(AnswerError, match=re.escape("E.1.1.1: enter a number")):
        clean_answer(INS, q, "twelve")


def test_a_number_must_lie_between_the_fields_limits_inclusive() -> None:
    f = INS.case_field("ogrs_score")
    assert clean_answer(INS, f, "0") == 0
    assert clean_answer(INS, f, " 100 ") == 100
    for raw in ("-1", "-0.5", "100.5", "101"):
        with pytest.raises(AnswerError, match=re.escape("OGRS 3 score: enter a number from 0 to 100")):
            clean_answer(INS, f, raw)


def test_a_number_with_only_a_lower_limit_names_it() -> None:
    f = INS.case_field("licence_weeks")
    assert clean_answer(INS, f, "1") == 1
    assert clean_answer(INS, f, "5000") == 5000
    with pytest.raises(AnswerError, match=re.escape("14: enter a number from 1 to any")):
        clean_answer(INS, f, "0.5")


def test_limits_that_are_not_whole_numbers_are_printed_as_they_are() -> None:
    f = INS.case_field("contact_hours")
    assert clean_answer(INS, f, "37.5") == 37.5
    with pytest.raises(AnswerError, match=re.escape("Contact hours a week: enter a number from 0.5 to 37.5")):
        clean_answer(INS, f, "40")


def test_a_case_detail_read_from_a_table_takes_the_tables_row_ids_or_none() -> None:
    f = INS.case_field("tier")
    assert clean_answer(INS, f, "2") == "2"
    assert clean_answer(INS, f, "none") == "none"
    with pytest.raises(AnswerError, match=re.escape("Tier: choose one of the listed answers")):
        clean_answer(INS, f, "3")


def test_a_case_detail_error_names_the_field_by_its_number_or_label() -> None:
    with pytest.raises(AnswerError, match=re.escape("Date of sentence: enter a real date, for example 2013-10-27")):
        clean_answer(INS, INS.case_field("sentence_date"), "2013-02-31")
    with pytest.raises(AnswerError, match=re.escape("9: choose one of the listed answers")):
        clean_answer(INS, INS.case_field("report_type"), "written")


@pytest.mark.parametrize("raw", ["2013-02-29", "2013-02-30", "2013-13-01", "2013-00-10", "27/10/2013", "yesterday"])
def test_an_impossible_date_is_refused(raw: str) -> None:
    with pytest.raises(AnswerError, match=re.escape("E.1.1.2: enter a real date, for example 2013-10-27")):
        clean_answer(INS, question("E.1.1.2"), raw)


def test_a_real_date_is_stored_as_an_iso_date() -> None:
    assert clean_answer(INS, question("E.1.1.2"), " 2012-02-29 ") == "2012-02-29"  # a leap day
    assert clean_answer(INS, question("E.1.1.2"), "2013-10-27") == "2013-10-27"


def test_text_is_kept_to_5000_characters() -> None:
    q = question("E.1.1.3")
    assert clean_answer(INS, q, "x" * 5000) == "x" * 5000
    assert clean_answer(INS, q, "  Seen at home.  ") == "Seen at home."
    with pytest.raises(AnswerError, match=re.escape("E.1.1.3: keep the text to 5,000 characters or fewer")):
        clean_answer(INS, q, "x" * 5001)


def test_multiple_choice_answers_are_stored_in_the_instruments_order_without_repeats() -> None:
    q = question("E.1.1.4")
    assert clean_answer(INS, q, ["substance_misuse", "accommodation", "substance_misuse"]) == ["accommodation", "substance_misuse"]
    assert clean_answer(INS, q, "ete") == ["ete"]
    with pytest.raises(AnswerError, match=re.escape("E.1.1.4: 'gym' is not one of the listed answers")):
        clean_answer(INS, q, ["ete", "gym"])
