"""Quality features: double assessment (blind), agreement (kappa), moderation, benchmark cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.audit.models import AuditEvent
from caseassess.inspections.services import case_add
from caseassess.sampling import quality
from caseassess.sampling.models import DoubleAssessment
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

SCORING = {"yes": "sufficient", "no": "insufficient", "na": "excluded"}


def answer(assessment: Any, values: dict[str, str], status: str = Status.SUBMITTED) -> None:
    for qid, v in values.items():
        Answer.objects.update_or_create(assessment=assessment, question_id=qid, defaults={"value": v, "scoring": SCORING[v]})
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()


def cases(inspection: Any, users: dict[str, Any], n: int) -> list[Any]:
    return [
        case_add(inspection=inspection, actor=users["lead"], case_ref=f"DA-{i:02d}", assessor=users["assessor"], details={"report_type": "standard_delivery"}).assessments.get()
        for i in range(n)
    ]


def mark(inspection: Any, users: dict[str, Any], firsts: list[Any]) -> list[Any]:
    return quality.double_assessment_mark(inspection=inspection, actor=users["lead"], second_assessor=users["assessor2"], firsts=firsts)


def test_the_lead_marks_a_seeded_number_of_cases_for_double_assessment(inspection: Any, users: dict[str, Any]) -> None:
    cases(inspection, users, 10)
    c = client_for(users["lead"])
    r = c.post(reverse("sampling:double_assessment", args=[inspection.pk]), {"second_assessor": "assessor2", "mode": "number", "number": "3", "seed": "11"})
    assert r.status_code == 302
    pairs = list(DoubleAssessment.objects.select_related("second", "case"))
    assert len(pairs) == 3
    assert all(p.second.counts is False and p.second.assessor == users["assessor2"] and p.first.counts for p in pairs)
    chosen = sorted(p.case.case_ref for p in pairs)
    # The same seed chooses the same cases.
    again = quality.double_assessment_choose(candidates=quality.double_assessment_candidates(inspection=inspection.__class__.objects.get(pk=inspection.pk)) + [p.first for p in pairs], number=3, seed=11)
    assert sorted(a.case.case_ref for a in again) == chosen
    assert AuditEvent.objects.filter(action="double_assessment_mark").count() == 3


def test_a_percentage_is_rounded_up_and_ticked_cases_are_taken_as_ticked(inspection: Any, users: dict[str, Any]) -> None:
    firsts = cases(inspection, users, 10)
    c = client_for(users["lead"])
    c.post(reverse("sampling:double_assessment", args=[inspection.pk]), {"second_assessor": "assessor2", "mode": "percent", "percent": "15", "seed": "1"})
    assert DoubleAssessment.objects.count() == 2  # 15% of 10 = 1.5 -> 2
    free = [a for a in firsts if not DoubleAssessment.objects.filter(case=a.case).exists()]
    c.post(reverse("sampling:double_assessment", args=[inspection.pk]), {"second_assessor": "assessor2", "mode": "ticked", "cases": [free[0].pk, free[1].pk]})
    assert DoubleAssessment.objects.count() == 4


def test_a_case_cannot_be_double_assessed_by_its_own_assessor(inspection: Any, users: dict[str, Any]) -> None:
    first = cases(inspection, users, 1)[0]
    r = client_for(users["lead"]).post(reverse("sampling:double_assessment", args=[inspection.pk]), {"second_assessor": "assessor", "mode": "ticked", "cases": [first.pk]})
    assert r.status_code == 400
    assert "cannot double assess 1 of the ticked cases" in r.content.decode()
    assert not DoubleAssessment.objects.exists()


def test_the_second_assessor_works_blind(inspection: Any, users: dict[str, Any]) -> None:
    first = cases(inspection, users, 1)[0]
    answer(first, {"B.4.1.1": "yes"}, status=Status.IN_PROGRESS)
    pair = mark(inspection, users, [first])[0]
    second_client = client_for(users["assessor2"])
    for name, args in [("task_list", [first.pk]), ("case_details", [first.pk]), ("section", [first.pk, "B.4.1"]), ("check", [first.pk])]:
        assert second_client.get(reverse(f"assessments:{name}", args=args)).status_code == 404, name
    # Nor can they write to it.
    assert second_client.post(reverse("assessments:section", args=[first.pk, "B.4.1"]), {"q-B.4.1.1": "no"}).status_code == 404
    assert second_client.post(reverse("assessments:review", args=[first.pk]), {"action": "sign_off"}).status_code == 404
    assert Answer.objects.get(assessment=first, question_id="B.4.1.1").value == "yes"
    assert second_client.get(reverse("assessments:task_list", args=[pair.second_id])).status_code == 200
    assert second_client.get(reverse("assessments:section", args=[pair.second_id, "B.4.1"])).status_code == 200
    # ... and the first assessor cannot open the second assessment either.
    assert client_for(users["assessor"]).get(reverse("assessments:task_list", args=[pair.second_id])).status_code == 404
    # Neither can reach the moderation page.
    assert second_client.get(reverse("sampling:moderate", args=[pair.pk])).status_code == 404


def test_the_second_assessor_cannot_read_the_first_answers_in_the_case_history(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.assessments.services import assessment_save_section

    first = cases(inspection, users, 1)[0]
    assessment_save_section(assessment=first, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": "no"}, comments={}, base_versions={}, client_stamp=1)
    pair = mark(inspection, users, [first])[0]
    r = client_for(users["assessor2"]).get(reverse("assessments:history", args=[pair.case_id]))
    assert r.status_code == 404 or "B.4.1.1" not in r.content.decode()


def double_assessed(inspection: Any, users: dict[str, Any], first_answers: list[dict[str, str]], second_answers: list[dict[str, str]]) -> list[Any]:
    firsts = cases(inspection, users, len(first_answers))
    pairs = mark(inspection, users, firsts)
    for p, a, b in zip(pairs, first_answers, second_answers, strict=True):
        answer(p.first, a)
        answer(p.second, b)
    return pairs


# B.4.1.1: 4 yes/yes, 1 yes/no, 1 no/yes, 4 no/no -> p_o 0.8, p_e 0.5, kappa 0.6.
# D.2.2.8: 3 yes/yes, 2 yes/no, 2 no/yes, 3 no/no -> 60% agreement, kappa 0.2: low agreement.
KNOWN_A = ["yes"] * 5 + ["no"] * 5
KNOWN_B = ["yes", "yes", "yes", "yes", "no", "yes", "no", "no", "no", "no"]
LOW_A = ["yes", "yes", "yes", "yes", "yes", "no", "no", "no", "no", "no"]
LOW_B = ["yes", "yes", "yes", "no", "no", "yes", "yes", "no", "no", "no"]


def known(inspection: Any, users: dict[str, Any]) -> list[Any]:
    return double_assessed(
        inspection, users,
        [{"B.4.1.1": a, "D.2.2.8": c} for a, c in zip(KNOWN_A, LOW_A, strict=True)],
        [{"B.4.1.1": b, "D.2.2.8": d} for b, d in zip(KNOWN_B, LOW_B, strict=True)],
    )


def test_kappa_on_a_known_double_assessment_is_the_reference_value(inspection: Any, users: dict[str, Any]) -> None:
    """Reference by hand (Fleiss, Cohen and Everitt 1969): for [[4, 1], [1, 4]], kappa = (0.8 - 0.5) / 0.5 = 0.6;
    var = (0.288 + 0.032 - 0.16) / (10 x 0.25) = 0.064, SE = 0.2530, 95% interval 0.104 to 1 (clipped)."""
    from caseassess.sampling.selectors import agreement_for

    known(inspection, users)
    view = agreement_for(inspections=[inspection])
    assert view.cases == 10
    q = {r.key: r for r in view.report.by_question}
    k = q["B.4.1.1"].kappa
    assert q["B.4.1.1"].n == 10 and q["B.4.1.1"].percent_agreement == pytest.approx(80.0)
    assert k.kappa == pytest.approx(0.6) and k.se == pytest.approx(0.0640 ** 0.5, abs=1e-9)
    assert k.ci_low == pytest.approx(0.6 - 1.959963984540054 * 0.064 ** 0.5) and k.ci_high == 1.0
    assert not q["B.4.1.1"].low_agreement
    assert q["D.2.2.8"].percent_agreement == pytest.approx(60.0) and q["D.2.2.8"].kappa.kappa == pytest.approx(0.2) and q["D.2.2.8"].low_agreement
    # The pair pools both questions: 14 of 20 agree, kappa exactly 0.40 - on the threshold, not below it.
    (pair,) = view.report.by_assessor_pair
    assert pair.key == "assessor / assessor2" and pair.n == 20 and pair.percent_agreement == pytest.approx(70.0)
    assert pair.kappa.kappa == pytest.approx(0.4) and not pair.low_agreement
    assert {r.key: r.low_agreement for r in view.report.by_section} == {"B.4.1": False, "D.2.2": True}


def test_the_agreement_page_highlights_low_agreement_for_inspection_and_programme(inspection: Any, users: dict[str, Any]) -> None:
    known(inspection, users)
    for url in (reverse("sampling:agreement_inspection", args=[inspection.pk]), reverse("sampling:agreement_programme", args=[inspection.programme_id])):
        html = client_for(users["analyst"]).get(url).content.decode()
        assert "10 double-assessed cases" in html
        assert "0.60" in html and "0.10 to 1.00" in html and "80.0%" in html
        assert html.count('govuk-tag--red">Low agreement') == 3  # D.2.2.8, D.2.2 and the inset note
        assert "guidance that needs sharpening" in html
    assert client_for(users["assessor"]).get(reverse("sampling:agreement_inspection", args=[inspection.pk])).status_code == 404


def test_agreement_reads_the_answers_of_every_pair_in_one_query(inspection: Any, users: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    from caseassess.instruments.selectors import instrument_get
    from caseassess.sampling.selectors import agreement_for

    known(inspection, users)
    instrument_get(version=inspection.instrument)  # warm the instrument cache
    with django_assert_max_num_queries(3):  # pairs, answers (+ at most one instrument lookup)
        agreement_for(inspections=[inspection])


def one_differing_case(inspection: Any, users: dict[str, Any]) -> Any:
    return double_assessed(
        inspection, users,
        [{"B.4.1.1": "yes", "B.4.1.6": "yes", "D.2.2.8": "no"}],
        [{"B.4.1.1": "no", "B.4.1.6": "yes", "D.2.2.8": "no"}],
    )[0]


def test_moderation_makes_only_the_moderated_answer_count(inspection: Any, users: dict[str, Any]) -> None:
    from caseassess.reporting.selectors import answer_counts

    pair = one_differing_case(inspection, users)
    before = sorted((r.question_id, r.scoring, r.n) for r in answer_counts(inspections=[inspection], by=None))
    assert before == [("B.4.1.1", "sufficient", 1), ("B.4.1.6", "sufficient", 1), ("D.2.2.8", "insufficient", 1)]
    c = client_for(users["lead"])
    page = c.get(reverse("sampling:moderate", args=[pair.pk])).content.decode()
    assert "Where the assessors differ" in page and page.index("B.4.1.1") < page.index("B.4.1.6")
    r = c.post(reverse("sampling:moderate", args=[pair.pk]), {"agreed-B.4.1.1": "no", "reason-B.4.1.1": "No RoSH screening within 15 working days of sentence"})
    assert r.status_code == 302
    pair.refresh_from_db()
    moderated = pair.moderated
    assert moderated.counts and moderated.status == Status.SIGNED_OFF and moderated.assessor == users["lead"]
    assert Assessment.objects.filter(case=pair.case, counts=True).get() == moderated
    assert dict(moderated.answers.values_list("question_id", "scoring")) == {"B.4.1.1": "insufficient", "B.4.1.6": "sufficient", "D.2.2.8": "insufficient"}
    after = sorted((r.question_id, r.scoring, r.n) for r in answer_counts(inspections=[inspection], by=None))
    assert after == [("B.4.1.1", "insufficient", 1), ("B.4.1.6", "sufficient", 1), ("D.2.2.8", "insufficient", 1)]
    d = pair.decisions.get()
    assert (d.question_id, d.first_value, d.second_value, d.agreed_value) == ("B.4.1.1", "yes", "no", "no")
    assert AuditEvent.objects.filter(action="moderate", field="B.4.1.1").count() == 1
    assert AuditEvent.objects.filter(action="counts", field="counts", new=False).count() == 1  # the second never counted
    done = c.get(reverse("sampling:moderate", args=[pair.pk])).content.decode()
    assert "Agreed answers" in done and "No RoSH screening within 15 working days" in done


def test_moderation_needs_an_agreed_answer_and_a_reason_for_every_difference(inspection: Any, users: dict[str, Any]) -> None:
    pair = one_differing_case(inspection, users)
    r = client_for(users["lead"]).post(reverse("sampling:moderate", args=[pair.pk]), {"agreed-B.4.1.1": "no"})
    assert r.status_code == 400
    assert "B.4.1.1: give the reason for the agreed answer" in r.content.decode()
    pair.refresh_from_db()
    assert pair.moderated_id is None and pair.first.counts


def test_moderation_waits_for_both_assessments(inspection: Any, users: dict[str, Any]) -> None:
    first = cases(inspection, users, 1)[0]
    answer(first, {"B.4.1.1": "yes"})
    pair = mark(inspection, users, [first])[0]
    with pytest.raises(quality.QualityError, match="Both assessments must be submitted"):
        quality.moderation_record(pair=pair, actor=users["lead"], decisions={})
    assert "Both assessments must be submitted" in client_for(users["lead"]).get(reverse("sampling:moderate", args=[pair.pk])).content.decode()


def test_a_benchmark_case_shows_each_assessors_agreement_with_the_reference(inspection: Any, users: dict[str, Any]) -> None:
    ref = cases(inspection, users, 1)[0]
    answer(ref, {"A.1.1.4": "yes", "B.4.1.1": "yes", "B.4.1.6": "no", "D.2.2.8": "yes"})
    c = client_for(users["lead"])
    assert c.post(reverse("sampling:benchmark", args=[inspection.pk]), {"action": "mark", "reference": ref.pk}).status_code == 302
    bench = ref.case.benchmark
    c.post(reverse("sampling:benchmark", args=[inspection.pk]), {"action": "assign", "benchmark": bench.pk, "assessor": "assessor2"})
    attempt = Assessment.objects.get(case=ref.case, assessor=users["assessor2"])
    assert attempt.counts is False
    answer(attempt, {"A.1.1.4": "yes", "B.4.1.1": "no", "B.4.1.6": "no", "D.2.2.8": "yes"})
    from caseassess.sampling.selectors import benchmarks

    (view,) = benchmarks(inspection=inspection)
    (row,) = view.attempts
    assert row.assessor == "assessor2" and row.agreement is not None
    assert row.agreement.n == 4 and row.agreement.percent_agreement == pytest.approx(75.0)
    # [[2, 1], [0, 1]] (yes, no): p_o 0.75, p_e (3 x 2 + 1 x 2) / 16 = 0.5, kappa 0.5.
    assert row.agreement.kappa.kappa == pytest.approx(0.5)
    assert [d[0] for d in row.differences] == ["B.4.1.1"]
    html = c.get(reverse("sampling:benchmark", args=[inspection.pk])).content.decode()
    assert "75.0%" in html and "0.50" in html and "B.4.1.1" in html
    # Practice never counts: the benchmark case is not offered for double assessment.
    assert ref.case not in [a.case for a in quality.double_assessment_candidates(inspection=inspection)]
