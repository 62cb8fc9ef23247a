from __future__ import annotations

import pytest

from caseassess_core.applicability.expression import ExpressionError, parse


@pytest.mark.parametrize(
    ("source", "case", "answers", "expected"),
    [
        ("case.report_type != 'oral'", {"report_type": "oral"}, {}, False),
        ("case.report_type != 'oral'", {}, {}, True),
        ("case.rosh_at_start in ['high', 'very_high']", {"rosh_at_start": "high"}, {}, True),
        ("'unpaid_work' in case.requirements", {"requirements": ["unpaid_work"]}, {}, True),
        ("'unpaid_work' in case.requirements", {}, {}, False),
        ("case.custodial_length_months >= 12", {"custodial_length_months": 12}, {}, True),
        ("case.custodial_length_months >= 12", {}, {}, False),
        ("answer('B.4.1.1') == 'yes' and not answered('B.4.1.2')", {}, {"B.4.1.1": "yes"}, True),
        ("answer('B.4.1.1') == 'yes' or case.ppo == 'yes'", {"ppo": "yes"}, {}, True),
        ("case.x == null", {}, {}, True),
    ],
)
def test_it_evaluates_expressions_over_case_details_and_answers(source: str, case: dict, answers: dict, expected: bool) -> None:
    assert parse(source).evaluate(case, answers) is expected


def test_it_collects_the_fields_and_questions_an_expression_reads() -> None:
    e = parse("case.tier == 'tier_4' and answer('C.2.1.1') == 'yes'")
    assert e.case_fields == {"tier"} and e.questions == {"C.2.1.1"}


@pytest.mark.parametrize("source", ["open('x')", "case.__class__.__mro__", "[x for x in case]", "1 +", "lambda: 1", "case.a + 1", ""])
def test_it_refuses_anything_outside_the_language(source: str) -> None:
    with pytest.raises(ExpressionError):
        parse(source)
