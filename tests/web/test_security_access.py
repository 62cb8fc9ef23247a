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
# A one-time link's token is a secret checked by the link page itself (accounts:welcome).
NON_ID_PARAMS = {"section_id", "fmt", "token"}
PUBLIC_INSTRUMENT_ROUTES = {  # the instrument (questions, guidance) is not case data
    "instruments:browse", "instruments:case_details", "instruments:search", "instruments:section", "instruments:table",
    "instruments:ratings",
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
        # The API authenticates by token, not session: tests/web/test_api.py generates its own
        # outsider test from the same resolver.
        if params and name not in PUBLIC_INSTRUMENT_ROUTES and not name.startswith("api:"):
            out.add(name)
    return out


def _other_inspection(insp: Any) -> Any:
    """An inspection of another team: its own programme and area, the same instrument."""
    import datetime as dt

    from caseassess.inspections.models import Area, Inspection, Programme

    prog = Programme.objects.create(name="Other team's programme", period_start=dt.date(2014, 1, 1), period_end=dt.date(2014, 12, 31))
    prog.instruments.add(insp.instrument)
    return Inspection.objects.create(
        programme=prog, name="IAOW Elsewhere", area=Area.objects.create(name="Elsewhere Probation Trust"),
        fieldwork_start=dt.date(2014, 3, 3), fieldwork_end=dt.date(2014, 3, 7), instrument=insp.instrument,
    )


@pytest.fixture
def world(assessment: Any, users: dict[str, Any]) -> dict[str, Any]:
    """One of each protected thing, inside the test inspection, and people with each
    per-inspection role: ``dual`` leads another team's inspection and is an (unallocated)
    assessor on this one; ``member_analyst`` has an inspector account and is an analyst
    member here; ``other-lead`` leads the other inspection only."""
    from caseassess.accounts.models import User
    from caseassess.assessments.models import Assessment
    from caseassess.inspections.models import Area, Membership
    from caseassess.sampling.models import CaseloadUpload, DoubleAssessment, SampleDraw

    insp = assessment.case.inspection
    upload = CaseloadUpload.objects.create(inspection=insp, filename="caseload.csv", rows=[], row_count=0)
    draw = SampleDraw.objects.create(inspection=insp, caseload=upload, design={}, seed=1, result={"case_refs": [], "weights": {}})
    second = Assessment.objects.create(case=assessment.case, assessor=users["assessor2"], counts=False)
    double = DoubleAssessment.objects.create(case=assessment.case, first=assessment, second=second)
    elsewhere = _other_inspection(insp)
    other_lead = User.objects.create_user(username="other-lead", password="x-long-password-1")
    dual = User.objects.create_user(username="dual", password="x-long-password-1")
    member_analyst = User.objects.create_user(username="member-analyst", password="x-long-password-1")
    Membership.objects.create(inspection=elsewhere, user=other_lead, role="lead_inspector")
    Membership.objects.create(inspection=elsewhere, user=dual, role="lead_inspector")
    Membership.objects.create(inspection=insp, user=dual, role="assessor")
    Membership.objects.create(inspection=insp, user=member_analyst, role="analyst")
    Area.objects.get(pk=elsewhere.area_id).leads.add(dual)
    from caseassess.api.services import token_create
    from caseassess.jobs.models import Job

    member_token = token_create(user=users["lead"], name="member's token", scopes=["findings"], days=30)[0]
    job = Job.objects.create(kind="import_cases", title="Importing cases", owner=users["lead"], inspection=insp)
    return {
        "token": member_token.pk,
        "job": job.pk,
        "inspection": insp.pk, "programme": insp.programme_id, "assessment": assessment.pk, "case": assessment.case_id,
        "draw": draw.pk, "double": double.pk, "area": insp.area_id, "elsewhere": elsewhere.pk, "instrument": insp.instrument_id, "user": users["assessor"].pk,
        "outsiders": [users["outsider"], other_lead], "dual": dual, "member_analyst": member_analyst,
    }


# Route -> its URL kwargs, from the objects of ``world``. Keep this in step with urls.py:
# test_every_id_route_is_covered fails when a route is added without an entry here.
ROUTES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "inspections:detail": lambda w: {"pk": w["inspection"]},
    "inspections:add_case": lambda w: {"pk": w["inspection"]},
    "inspections:import_cases": lambda w: {"pk": w["inspection"]},
    "inspections:import_assessments": lambda w: {"pk": w["inspection"]},
    "inspections:allocate": lambda w: {"pk": w["inspection"]},
    "inspections:area_tiering": lambda w: {"pk": w["inspection"]},
    "assessments:task_list": lambda w: {"pk": w["assessment"]},
    "assessments:case_details": lambda w: {"pk": w["assessment"]},
    "assessments:section": lambda w: {"pk": w["assessment"], "section_id": "B.4.1"},
    "assessments:check": lambda w: {"pk": w["assessment"]},
    "assessments:submitted": lambda w: {"pk": w["assessment"]},
    "assessments:review": lambda w: {"pk": w["assessment"]},
    "assessments:history": lambda w: {"case_id": w["case"]},
    "reporting:programme": lambda w: {"pk": w["programme"]},
    "reporting:compare": lambda w: {"pk": w["programme"]},
    "reporting:programme_export": lambda w: {"pk": w["programme"], "fmt": "csv"},
    "reporting:compare_export": lambda w: {"pk": w["programme"], "fmt": "csv"},
    "reporting:inspection": lambda w: {"pk": w["inspection"]},
    "reporting:inspection_export": lambda w: {"pk": w["inspection"], "fmt": "csv"},
    "reporting:programme_ratings": lambda w: {"pk": w["programme"]},
    "reporting:trends": lambda w: {"pk": w["programme"]},
    "reporting:trends_export": lambda w: {"pk": w["programme"], "fmt": "csv"},
    "reporting:programme_ratings_export": lambda w: {"pk": w["programme"], "fmt": "csv"},
    "reporting:inspection_ratings": lambda w: {"pk": w["inspection"]},
    "reporting:inspection_ratings_export": lambda w: {"pk": w["inspection"], "fmt": "csv"},
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
    "jobs:detail": lambda w: {"pk": w["job"]},
    "jobs:retry": lambda w: {"pk": w["job"]},
    "inspections:edit": lambda w: {"pk": w["inspection"]},
    "inspections:members": lambda w: {"pk": w["inspection"]},
    "inspections:close": lambda w: {"pk": w["inspection"]},
    "inspections:reopen": lambda w: {"pk": w["inspection"]},
    "inspections:programme_edit": lambda w: {"pk": w["programme"]},
    "inspections:area_edit": lambda w: {"pk": w["area"]},
    "instruments:version_review": lambda w: {"pk": w["instrument"]},
    "instruments:version_publish": lambda w: {"pk": w["instrument"]},
    "api_tokens:revoke": lambda w: {"pk": w["token"]},  # a token is its owner's alone
    # Administrator's user pages: 404 to everyone but an administrator (test_admin_routes_* below).
    "accounts:user_detail": lambda w: {"pk": w["user"]},
    "accounts:user_role": lambda w: {"pk": w["user"]},
    "accounts:user_deactivate": lambda w: {"pk": w["user"]},
    "accounts:user_reactivate": lambda w: {"pk": w["user"]},
    "accounts:user_reset_two_factor": lambda w: {"pk": w["user"]},
    "accounts:user_invite": lambda w: {"pk": w["user"]},
    "accounts:user_unlock": lambda w: {"pk": w["user"]},
}

# What each per-inspection role may open. Every id route is in exactly one class
# (test_every_id_route_has_an_access_class), so a new route must say who may use it.
LEAD_ROUTES = {  # the inspection's lead inspectors (and administrators)
    "inspections:add_case", "inspections:import_cases", "inspections:import_assessments", "inspections:allocate", "inspections:edit", "inspections:members",
    "inspections:close", "sampling:inspection", "sampling:upload_caseload", "sampling:draw", "sampling:draw_detail",
    "sampling:add_sample", "sampling:double_assessment", "sampling:moderate", "sampling:benchmark", "assessments:review",
}
AREA_LEAD_ROUTES = {"inspections:area_tiering"}  # leads of the inspection's area (and administrators)
FINDINGS_ROUTES = {"sampling:weighted", "sampling:agreement_inspection", "sampling:agreement_programme"}  # leads, analysts
MEMBER_ROUTES = {  # every member of the inspection
    "inspections:detail", "reporting:programme", "reporting:compare", "reporting:programme_export",
    "reporting:inspection", "reporting:inspection_export", "reporting:inspection_ratings", "reporting:inspection_ratings_export",
    "reporting:programme_ratings", "reporting:programme_ratings_export", "reporting:trends", "reporting:trends_export",
    "reporting:compare_export",
}
CASE_ROUTES = {  # the case's own assessor and the inspection's leads
    "assessments:task_list", "assessments:case_details", "assessments:section", "assessments:check", "assessments:history",
    "assessments:submitted",
}
ADMIN_ROUTES = {"inspections:programme_edit", "inspections:reopen", "inspections:area_edit", "instruments:version_review", "instruments:version_publish",
                "accounts:user_detail", "accounts:user_role", "accounts:user_deactivate", "accounts:user_reactivate",
                "accounts:user_reset_two_factor", "accounts:user_invite", "accounts:user_unlock"}
# Pages that answer 404 in ``world`` for want of data, not of rights (no rating scheme for the
# test instrument, no earlier round to compare with): only their refusals are checked here.
NO_DATA_IN_WORLD = {
    "reporting:inspection_ratings", "reporting:inspection_ratings_export", "reporting:programme_ratings",
    "reporting:programme_ratings_export", "reporting:trends_export",
    "reporting:compare_export",  # 404 for everyone until a comparison is chosen (?by=&a=&b=)
}
OWNER_ROUTES = {  # the owner's own things (world's token and job are the lead's), not even administrators
    "api_tokens:revoke",
    "jobs:detail", "jobs:retry",  # (an administrator may follow a job's progress: allowed, not checked here)
}
ACCESS_CLASSES = [LEAD_ROUTES, AREA_LEAD_ROUTES, FINDINGS_ROUTES, MEMBER_ROUTES, CASE_ROUTES, ADMIN_ROUTES, OWNER_ROUTES]

# Case records: analysts (members of the inspection) see aggregate findings, never these.
CASE_RECORD_ROUTES = {
    "assessments:task_list", "assessments:case_details", "assessments:section", "assessments:check", "assessments:submitted",
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


def test_every_id_route_has_an_access_class() -> None:
    classified = [r for cls in ACCESS_CLASSES for r in cls]
    assert sorted(classified) == sorted(set(classified)), "a route is in two access classes"
    assert set(classified) == set(ROUTES), "say which per-inspection roles may use the new route"


def _lenient_client(user: Any) -> Any:
    from django.test import Client

    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


def _status(c: Any, url: str) -> int:
    got = c.get(url).status_code
    if got == 405:
        got = c.post(url, {"action": "sign_off"}).status_code
    return got


def _refused(who: str, users: dict[str, Any], w: dict[str, Any]) -> set[str]:
    """The routes of the test inspection ``who`` must get 404 on, from their role there."""
    lead_only = LEAD_ROUTES | AREA_LEAD_ROUTES | ADMIN_ROUTES | OWNER_ROUTES
    return {
        "assessor": lead_only | FINDINGS_ROUTES,              # assessor with the case allocated
        "dual": lead_only | FINDINGS_ROUTES | CASE_ROUTES,     # assessor here, no case; lead elsewhere
        "member_analyst": lead_only | CASE_ROUTES,            # analyst member with an inspector account
        "analyst": lead_only | CASE_ROUTES,                   # analyst account
        "lead": ADMIN_ROUTES,
    }[who]


PEOPLE = ["assessor", "dual", "member_analyst", "analyst", "lead"]


@pytest.mark.parametrize("who", PEOPLE)
def test_each_per_inspection_role_gets_404_on_the_routes_its_role_does_not_allow(who: str, world: dict[str, Any], users: dict[str, Any]) -> None:
    user = world[who] if who in world else users[who]
    c = client_for(user)
    wrong = {}
    for route in sorted(_refused(who, users, world)):
        got = _status(c, reverse(route, kwargs=ROUTES[route](world)))
        if got != 404:
            wrong[route] = got
    assert not wrong, f"{who} was not refused: {wrong}"


@pytest.mark.parametrize("who", PEOPLE)
def test_each_per_inspection_role_opens_the_pages_its_role_allows(who: str, world: dict[str, Any], users: dict[str, Any]) -> None:
    """The other side: every route of the inspection that the role allows is not refused.
    (Only refusal is checked: ``world``'s sample draw is a bare record its page cannot lay out.)"""
    user = world[who] if who in world else users[who]
    c = _lenient_client(user)
    allowed = set(ROUTES) - _refused(who, users, world) - NO_DATA_IN_WORLD
    wrong = {}
    for route in sorted(allowed):
        url = reverse(route, kwargs=ROUTES[route](world))
        got = c.get(url).status_code
        if got == 404:  # 405 (POST-only) and any page state other than refusal count as allowed
            wrong[route] = got
    assert not wrong, f"{who} was refused: {wrong}"


def test_the_same_person_leads_one_inspection_and_is_an_assessor_on_another(world: dict[str, Any]) -> None:
    c = client_for(world["dual"])
    for route in ("inspections:edit", "inspections:members", "inspections:close", "sampling:inspection", "inspections:area_tiering"):
        assert c.get(reverse(route, kwargs={"pk": world["elsewhere"]})).status_code == 200, route
        assert c.get(reverse(route, kwargs={"pk": world["inspection"]})).status_code == 404, route


@pytest.mark.parametrize("route", sorted(set(ROUTES) - OWNER_ROUTES - NO_DATA_IN_WORLD))
def test_an_administrator_opens_every_id_route_but_other_peoples_own_things(route: str, world: dict[str, Any], users: dict[str, Any]) -> None:
    got = _lenient_client(users["admin"]).get(reverse(route, kwargs=ROUTES[route](world))).status_code
    assert got != 404, route


# --- Administrator-only pages, generated from the resolver: every route of the user pages
# and the audit log answers 404 to every other role, and opens for an administrator.
ADMIN_PREFIXES = ("accounts:user", "audit:")
ADMIN_POST_ONLY = {"accounts:user_role", "accounts:user_deactivate", "accounts:user_reactivate", "accounts:user_reset_two_factor",
                   "accounts:user_invite", "accounts:user_unlock"}


def admin_routes() -> set[str]:
    return {name for name, _ in _walk(get_resolver().url_patterns) if name.startswith(ADMIN_PREFIXES)}


def _admin_url(route: str, world: dict[str, Any]) -> str:
    return reverse(route, kwargs=ROUTES[route](world) if route in ROUTES else None)


def test_the_administrator_routes_are_the_ones_expected() -> None:
    assert admin_routes() >= {"accounts:users", "accounts:user_create", "accounts:user_detail", "audit:log", "audit:export"}
    assert admin_routes() >= ADMIN_POST_ONLY


@pytest.mark.parametrize("route", sorted(admin_routes()))
@pytest.mark.parametrize("role", ["assessor", "lead", "analyst", "outsider"])
def test_administrator_routes_answer_404_to_every_other_role(route: str, role: str, world: dict[str, Any], users: dict[str, Any]) -> None:
    from caseassess.audit.models import AuditEvent

    url = _admin_url(route, world)
    c = client_for(users[role])
    before = AuditEvent.objects.count()
    assert c.get(url).status_code in ((405,) if route in ADMIN_POST_ONLY else (404,)), url
    assert c.post(url, {"role": "administrator", "username": "sneaky"}).status_code in (404, 405), url
    assert AuditEvent.objects.count() == before
    users[role].refresh_from_db()
    assert users[role].role != "administrator"


@pytest.mark.parametrize("route", sorted(admin_routes() - ADMIN_POST_ONLY))
def test_administrator_routes_open_for_an_administrator(route: str, world: dict[str, Any], users: dict[str, Any]) -> None:
    assert client_for(users["admin"]).get(_admin_url(route, world)).status_code == 200
