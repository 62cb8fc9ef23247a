"""Access control, generated from the URL resolver: every route that takes the id of an
inspection, a case, an assessment or anything inside one answers 404 to a user outside
that inspection. A new route with an id parameter fails this file until it is listed
below (docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

# Parameters that are not ids of protected records: what they select is checked by the
# id beside them, or the route shows the published instrument to every signed-in user.
NON_ID_PARAMS = {"section_id", "fmt"}
PUBLIC_INSTRUMENT_ROUTES = {  # the instrument (questions, guidance) is not case data
    "instruments:browse", "instruments:case_details", "instruments:search", "instruments:section", "instruments:table",
}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p


def id_routes() -> set[str]:
    """Every named route with a parameter that is an id."""
    out = set()
    for name, p in _walk(get_resolver().url_patterns):
        params = set(p.pattern.converters) - NON_ID_PARAMS
        if params and name not in PUBLIC_INSTRUMENT_ROUTES:
            out.add(name)
    return out


@pytest.fixture
def world(assessment: Any, users: dict[str, Any]) -> dict[str, Any]:
    """One of each protected thing, inside the test inspection."""
    from caseassess.accounts.models import User
    from caseassess.assessments.models import Assessment
    from caseassess.sampling.models import CaseloadUpload, DoubleAssessment, SampleDraw

    insp = assessment.case.inspection
    upload = CaseloadUpload.objects.create(inspection=insp, filename="caseload.csv", rows=[], row_count=0)
    draw = SampleDraw.objects.create(inspection=insp, caseload=upload, design={}, seed=1, result={"case_refs": [], "weights": {}})
    second = Assessment.objects.create(case=assessment.case, assessor=users["assessor2"], counts=False)
    double = DoubleAssessment.objects.create(case=assessment.case, first=assessment, second=second)
    other_lead = User.objects.create_user(username="other-lead", password="x-long-password-1", role="lead_inspector")
    return {
        "inspection": insp.pk, "programme": insp.programme_id, "assessment": assessment.pk, "case": assessment.case_id,
        "draw": draw.pk, "double": double.pk, "outsiders": [users["outsider"], other_lead],
    }


# Route -> its URL kwargs, from the objects of ``world``. Keep this in step with urls.py:
# test_every_id_route_is_covered fails when a route is added without an entry here.
ROUTES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "inspections:detail": lambda w: {"pk": w["inspection"]},
    "inspections:add_case": lambda w: {"pk": w["inspection"]},
    "inspections:import_cases": lambda w: {"pk": w["inspection"]},
    "inspections:allocate": lambda w: {"pk": w["inspection"]},
    "inspections:area_tiering": lambda w: {"pk": w["inspection"]},
    "assessments:task_list": lambda w: {"pk": w["assessment"]},
    "assessments:case_details": lambda w: {"pk": w["assessment"]},
    "assessments:section": lambda w: {"pk": w["assessment"], "section_id": "B.4.1"},
    "assessments:check": lambda w: {"pk": w["assessment"]},
    "assessments:review": lambda w: {"pk": w["assessment"]},
    "assessments:history": lambda w: {"case_id": w["case"]},
    "reporting:programme": lambda w: {"pk": w["programme"]},
    "reporting:compare": lambda w: {"pk": w["programme"]},
    "reporting:programme_export": lambda w: {"pk": w["programme"], "fmt": "csv"},
    "reporting:inspection": lambda w: {"pk": w["inspection"]},
    "reporting:inspection_export": lambda w: {"pk": w["inspection"], "fmt": "csv"},
    "sampling:inspection": lambda w: {"pk": w["inspection"]},
    "sampling:upload_caseload": lambda w: {"pk": w["inspection"]},
    "sampling:draw": lambda w: {"pk": w["inspection"]},
    "sampling:draw_detail": lambda w: {"pk": w["draw"]},
    "sampling:add_sample": lambda w: {"pk": w["draw"]},
    "sampling:weighted": lambda w: {"pk": w["inspection"]},
    "sampling:double_assessment": lambda w: {"pk": w["inspection"]},
    "sampling:moderate": lambda w: {"pk": w["double"]},
    "sampling:agreement_inspection": lambda w: {"pk": w["inspection"]},
    "sampling:agreement_programme": lambda w: {"pk": w["programme"]},
    "sampling:benchmark": lambda w: {"pk": w["inspection"]},
}

# Case records: analysts (members of the inspection) see aggregate findings, never these.
CASE_RECORD_ROUTES = {
    "assessments:task_list", "assessments:case_details", "assessments:section", "assessments:check",
    "assessments:review", "assessments:history", "sampling:moderate",
}


def test_every_id_route_is_covered_by_the_outsider_test() -> None:
    assert id_routes() == set(ROUTES), "add the new route to ROUTES (and make it answer 404 to outsiders)"


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_user_outside_the_inspection_gets_404_on_every_id_route(route: str, world: dict[str, Any]) -> None:
    url = reverse(route, kwargs=ROUTES[route](world))
    for outsider in world["outsiders"]:
        c = client_for(outsider)
        got = c.get(url).status_code
        if got == 405:  # POST-only: the method is refused before the id is looked up, for any id
            got = c.post(url, {"action": "sign_off", "assessment": world["assessment"]}).status_code
        assert got == 404, f"{outsider.username} {url}: {got}"


@pytest.mark.parametrize("route", sorted(CASE_RECORD_ROUTES))
def test_an_analyst_in_the_inspection_cannot_open_case_records(route: str, world: dict[str, Any], users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    url = reverse(route, kwargs=ROUTES[route](world))
    got = c.get(url).status_code
    if got == 405:
        got = c.post(url, {"action": "sign_off"}).status_code
    assert got == 404, url


def test_an_analyst_sees_the_aggregate_findings_but_no_case_references(world: dict[str, Any], users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    r = c.get(reverse("reporting:inspection", kwargs={"pk": world["inspection"]}))
    assert r.status_code == 200
    detail = c.get(reverse("inspections:detail", kwargs={"pk": world["inspection"]}))
    assert detail.status_code == 200 and "TST-0001" not in detail.content.decode()
    assert c.get(reverse("reporting:programme", kwargs={"pk": world["programme"]})).status_code == 200


def _snapshot(assessment: Any) -> tuple[Any, ...]:
    assessment.refresh_from_db()
    case = assessment.case
    case.refresh_from_db()
    return (assessment.status, assessment.assessor_id, assessment.counts, assessment.signed_off_by_id, assessment.signed_off_at,
            assessment.case_id, case.inspection_id, case.case_ref)


EXTRA = {
    "status": "signed_off", "assessor": "outsider", "assessor_id": "0", "counts": "false", "signed_off_by": "lead",
    "case": "999", "case_id": "999", "inspection": "999", "inspection_id": "999", "case_ref": "HACKED", "action": "sign_off",
}


def test_extra_post_fields_cannot_change_status_or_ownership_through_the_section_form(assessment: Any, users: dict[str, Any]) -> None:
    before = _snapshot(assessment)
    c = client_for(users["assessor"])
    url = reverse("assessments:section", kwargs={"pk": assessment.pk, "section_id": "B.4.1"})
    r = c.post(url, {"q-B.4.1.1": "yes", "q-B.4.1.1-present": "1", **EXTRA})
    assert r.status_code == 302  # saved, back to the task list
    r = c.post(url, {"q-B.4.1.1": "no", "v-B.4.1.1": "1", "autosave": "1", **EXTRA}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    after = _snapshot(assessment)
    assert after[0] == "in_progress"  # saving answers moves not started -> in progress, nothing else
    assert after[1:] == before[1:]
    assert assessment.answers.get(question_id="B.4.1.1").value == "no"


def test_extra_post_fields_cannot_change_status_or_ownership_through_the_case_details_form(assessment: Any, users: dict[str, Any]) -> None:
    before = _snapshot(assessment)
    c = client_for(users["assessor"])
    url = reverse("assessments:case_details", kwargs={"pk": assessment.pk})
    r = c.post(url, {"details_version": str(assessment.case.details_version), "d-gender": "female", **EXTRA})
    assert r.status_code == 302  # saved, back to the task list
    after = _snapshot(assessment)
    assert after == before  # saving case details changes no status, owner or sign-off field
    assert assessment.case.details.get("gender") == "female"
    assert "status" not in assessment.case.details and "assessor" not in assessment.case.details
