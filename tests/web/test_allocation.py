"""Allocating cases: a warning before reallocating work already done, bulk allocation,
and the page coming back to the case's row."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseassess.assessments.models import Assessment
from caseassess.audit.models import AuditEvent
from caseassess.inspections.services import case_add
from tests.web.conftest import client_for
from tests.web.test_assessment_workflow import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(inspection: Any, users: dict[str, Any]) -> list[Any]:
    out = []
    for ref in ("TST-0001", "TST-0002", "TST-0003"):
        case = case_add(inspection=inspection, actor=users["lead"], case_ref=ref, assessor=None,
                        details={"report_type": "standard_delivery", "sentence_type": "community_order"})
        out.append(case.assessments.get())
    return out


def url(inspection: Any) -> str:
    return reverse("inspections:allocate", args=[inspection.pk])


def test_allocating_one_row_comes_back_to_that_row(inspection: Any, cases: list[Any], users: dict[str, Any]) -> None:
    a = cases[1]
    r = client_for(users["lead"]).post(url(inspection), {"row": a.pk, f"assessor-{a.pk}": "assessor"})
    assert r.status_code == 302
    assert r["Location"] == reverse("inspections:detail", args=[inspection.pk]) + f"#case-{a.pk}"
    a.refresh_from_db()
    assert a.assessor == users["assessor"]
    page = client_for(users["lead"]).get(r["Location"]).content.decode()
    assert f'id="case-{a.pk}"' in page


def test_ticked_cases_are_allocated_together(inspection: Any, cases: list[Any], users: dict[str, Any]) -> None:
    r = client_for(users["lead"]).post(url(inspection), {"action": "bulk", "assessments": [cases[0].pk, cases[2].pk], "bulk_assessor": "assessor2"})
    assert r.status_code == 302
    assert dict(Assessment.objects.values_list("pk", "assessor__username")) == {
        cases[0].pk: "assessor2", cases[1].pk: None, cases[2].pk: "assessor2",
    }
    assert AuditEvent.objects.filter(action="allocate").count() == 2


def test_the_inspection_page_offers_ticks_and_one_assessor_for_them(inspection: Any, cases: list[Any], users: dict[str, Any]) -> None:
    page = client_for(users["lead"]).get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    for a in cases:
        assert f'name="assessments" type="checkbox" value="{a.pk}"' in page
    assert 'name="bulk_assessor"' in page and "Allocate ticked cases" in page


def test_reallocating_a_case_with_answers_warns_how_much_work_and_by_whom(inspection: Any, cases: list[Any], users: dict[str, Any]) -> None:
    a = cases[0]
    a.assessor = users["assessor"]
    a.save()
    users["assessor"].first_name, users["assessor"].last_name = "Asha", "Patel"
    users["assessor"].save()
    assert save(a, users["assessor"], "B.4.1", {"B.4.1.1": "yes", "B.4.1.6": "no"}).ok
    c = client_for(users["lead"])
    r = c.post(url(inspection), {"row": a.pk, f"assessor-{a.pk}": "assessor2"})
    page = r.content.decode()
    assert r.status_code == 200 and "Reallocate case TST-0001?" in page
    assert "2 answers by Asha Patel" in page
    a.refresh_from_db()
    assert a.assessor == users["assessor"]  # nothing changed yet
    r = c.post(url(inspection), {"action": "confirm", "assessments": [a.pk], "bulk_assessor": "assessor2"})
    assert r.status_code == 302 and r["Location"].endswith(f"#case-{a.pk}")
    a.refresh_from_db()
    assert a.assessor == users["assessor2"]


def test_a_case_without_answers_is_reallocated_without_a_warning(inspection: Any, cases: list[Any], users: dict[str, Any]) -> None:
    a = cases[0]
    r = client_for(users["lead"]).post(url(inspection), {"action": "bulk", "assessments": [a.pk], "bulk_assessor": "assessor"})
    assert r.status_code == 302


def test_bulk_allocation_with_nothing_ticked_says_so(inspection: Any, cases: list[Any], users: dict[str, Any]) -> None:
    c = client_for(users["lead"])
    r = c.post(url(inspection), {"action": "bulk", "bulk_assessor": "assessor"}, follow=True)
    assert "Tick the cases to allocate" in r.content.decode()
    assert not Assessment.objects.filter(assessor__isnull=False).exists()


def test_a_case_of_another_inspection_cannot_be_allocated_from_here(inspection: Any, cases: list[Any], users: dict[str, Any]) -> None:
    r = client_for(users["lead"]).post(url(inspection), {"action": "bulk", "assessments": [cases[0].pk, 99999], "bulk_assessor": "assessor"})
    assert r.status_code == 404
    assert not Assessment.objects.filter(assessor__isnull=False).exists()
