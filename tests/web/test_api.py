"""The API under /api/v1/: personal tokens, scopes, per-inspection access (generated from the
URL resolver), audit, rate limits, and numbers equal to the exports."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from caseassess.api.models import ApiToken
from caseassess.api.services import token_create
from caseassess.assessments import services
from caseassess.assessments.models import Answer, Status
from caseassess.audit.models import AccessLog
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token(user: Any, *scopes: str) -> str:
    return token_create(user=user, name="test", scopes=list(scopes), days=30)[1]


@pytest.fixture
def answered(assessment: Any, users: dict[str, Any]) -> Any:
    """The test case submitted with B.4.1.1 yes, B.4.1.6 no (with a comment), D.2.2.9 free text."""
    services.assessment_save_section(assessment=assessment, actor=users["assessor"], section_id="B.4.1",
                                     values={"B.4.1.1": "yes", "B.4.1.6": "no"},
                                     comments={"B.4.1.6": "Offender named Smith threatened a neighbour"},
                                     base_versions={}, client_stamp=0)
    services.assessment_save_section(assessment=assessment, actor=users["assessor"], section_id="D.2.2",
                                     values={"D.2.2.8": "yes", "D.2.2.9": "Seen weekly at the Carlisle office"},
                                     comments={}, base_versions={}, client_stamp=0)
    assessment.status = Status.SUBMITTED
    assessment.save()
    return assessment


def test_a_token_is_shown_once_and_stored_only_as_a_digest(users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    resp = c.post("/account/api-tokens/", {"name": "R analysis", "scopes": ["findings"], "days": "90"})
    html = resp.content.decode()
    secret = re.search(r'id="new-token">(ca_[^<]+)<', html).group(1)
    row = ApiToken.objects.get()
    assert secret not in json.dumps([row.prefix, row.digest, row.name, row.scopes])
    assert row.digest != secret and len(row.digest) == 64
    assert round((row.expires_at - row.created_at).total_seconds() / 86400) == 90
    page = c.get("/account/api-tokens/").content.decode()
    assert secret not in page and "R analysis" in page and "Active" in page
    assert Client().get("/api/v1/programmes", **bearer(secret)).status_code == 200


def test_the_token_form_refuses_bad_input_with_an_error_summary(users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    resp = c.post("/account/api-tokens/", {"name": "", "scopes": ["findings"], "days": "90"})
    assert resp.status_code == 400 and "govuk-error-summary" in resp.content.decode()
    assert "Enter a name for the token" in resp.content.decode()
    resp = c.post("/account/api-tokens/", {"name": "x", "scopes": ["everything"], "days": "90"})
    assert "Choose what the token may do" in resp.content.decode()
    resp = c.post("/account/api-tokens/", {"name": "x", "scopes": ["findings"], "days": "9999"})
    assert "Choose when the token expires" in resp.content.decode()
    assert not ApiToken.objects.exists()


def test_revoked_expired_and_wrong_tokens_are_refused(users: dict[str, Any]) -> None:
    from django.utils import timezone

    secret = token(users["analyst"], "findings")
    row = ApiToken.objects.get()
    api = Client()
    assert api.get("/api/v1/programmes", **bearer(secret)).status_code == 200
    assert api.get("/api/v1/programmes", **bearer(secret[:-1] + ("A" if secret[-1] != "A" else "B"))).status_code == 401
    assert api.get("/api/v1/programmes").status_code == 401
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    assert api.get("/api/v1/programmes", **bearer(secret)).status_code == 401
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() + timezone.timedelta(days=1))
    client_for(users["analyst"]).post(f"/account/api-tokens/{row.pk}/revoke/")
    assert api.get("/api/v1/programmes", **bearer(secret)).status_code == 401
    # Another person cannot revoke my token.
    other = token(users["lead"], "findings")
    other_row = ApiToken.objects.get(user=users["lead"])
    assert client_for(users["analyst"]).post(f"/account/api-tokens/{other_row.pk}/revoke/").status_code == 404
    assert api.get("/api/v1/programmes", **bearer(other)).status_code == 200


def test_a_scope_without_the_right_gets_403(answered: Any, users: dict[str, Any]) -> None:
    insp = answered.case.inspection
    findings_only = bearer(token(users["lead"], "findings"))
    answers_only = bearer(token(users["lead"], "answers"))
    api = Client()
    assert api.get(f"/api/v1/inspections/{insp.pk}/answers", **findings_only).status_code == 403
    resp = api.get(f"/api/v1/inspections/{insp.pk}/findings", **answers_only)
    assert resp.status_code == 403
    assert "make a token with that scope" in resp.json()["detail"]
    assert api.post(f"/api/v1/inspections/{insp.pk}/import", {"file": io.BytesIO(b"x")}, **findings_only).status_code == 403


# ----------------------------------------------------------------- generated access test


def api_routes() -> dict[str, str]:
    """name -> route of every API URL with an id parameter, from the resolver."""
    out = {}

    def walk(patterns: list[Any], prefix: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.pattern.converters:
                out[p.name] = prefix + str(p.pattern)

    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and str(p.pattern) == "api/v1/":
            walk(p.url_patterns, "api/v1/")
    return out


ROUTE_METHODS = {"import_assessments": "post"}


def test_every_api_id_route_answers_404_to_outsiders_and_works_for_members(answered: Any, users: dict[str, Any]) -> None:
    insp = answered.case.inspection
    routes = api_routes()
    assert {"programme_findings", "inspection_findings", "answers", "cases", "import_assessments", "comparison",
            "programme_agreement", "inspection_agreement", "programme_ratings", "inspection_ratings"} <= set(routes)
    every = ("findings", "answers", "free_text", "import")
    outsider, member = bearer(token(users["outsider"], *every)), bearer(token(users["lead"], *every))
    api = Client()
    for name, route in routes.items():
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(insp.programme_id if m.group(1) == "programme_id" else insp.pk), route)
        if name == "comparison":
            url += "?by=gender&groups=male,female"
        method = ROUTE_METHODS.get(name, "get")
        if method == "post":
            data = {"file": io.BytesIO(b"case_ref,question_id,answer\n")}
            assert api.post(url, data, **outsider).status_code == 404, url
            assert api.post(url, {"file": io.BytesIO(b"case_ref,question_id,answer\n")}, **member).status_code in (200, 400), url
        else:
            assert api.get(url, **outsider).status_code == 404, url
            assert api.get(url, **member).status_code in (200, 404 if "ratings" in name else 200), url


def test_assessors_cannot_read_answers_or_import_through_the_api(answered: Any, users: dict[str, Any]) -> None:
    insp = answered.case.inspection
    secret = bearer(token(users["assessor"], "findings", "answers", "import"))
    api = Client()
    assert api.get(f"/api/v1/inspections/{insp.pk}/answers", **secret).status_code == 404
    assert api.get(f"/api/v1/inspections/{insp.pk}/cases", **secret).status_code == 404
    assert api.post(f"/api/v1/inspections/{insp.pk}/import", {"file": io.BytesIO(b"a")}, **secret).status_code == 404


def test_every_call_is_audited_with_the_token_id(answered: Any, users: dict[str, Any]) -> None:
    secret = token(users["analyst"], "findings")
    row = ApiToken.objects.get()
    Client().get(f"/api/v1/inspections/{answered.case.inspection_id}/findings", **bearer(secret))
    log = AccessLog.objects.filter(kind="api_call").get()
    assert log.user == users["analyst"]
    assert log.path == f"GET /api/v1/inspections/{answered.case.inspection_id}/findings token {row.pk}"


def test_calls_over_the_rate_limit_get_429(users: dict[str, Any], settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.CASEASSESS_API_RATE_PER_MINUTE = 3
    secret = bearer(token(users["analyst"], "findings"))
    codes = [Client().get("/api/v1/programmes", **secret).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_answers_are_long_form_paginated_and_free_text_needs_its_scope(answered: Any, users: dict[str, Any]) -> None:
    insp = answered.case.inspection
    api = Client()
    plain = bearer(token(users["analyst"], "answers"))
    seen = []
    url = f"/api/v1/inspections/{insp.pk}/answers?limit=2"
    while url:
        page = api.get(url, **plain).json()
        seen += page["items"]
        url = f"/api/v1/inspections/{insp.pk}/answers?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    # Hand count: B.4.1.1, B.4.1.6, D.2.2.8, D.2.2.9 saved, plus any question the form stores as not applicable.
    assert len(seen) == Answer.objects.filter(assessment=answered).count()
    by_q = {a["question_id"]: a for a in seen}
    assert by_q["B.4.1.1"]["value"] == "yes" and by_q["B.4.1.6"]["scoring"] == "insufficient"
    assert by_q["B.4.1.6"]["comment"] is None and by_q["D.2.2.9"]["value"] is None  # free text withheld
    full = bearer(token(users["analyst"], "answers", "free_text"))
    items = {a["question_id"]: a for a in api.get(f"/api/v1/inspections/{insp.pk}/answers", **full).json()["items"]}
    assert items["B.4.1.6"]["comment"] == "Offender named Smith threatened a neighbour"
    assert items["D.2.2.9"]["value"] == "Seen weekly at the Carlisle office"
    assert api.get(f"/api/v1/inspections/{insp.pk}/answers?cursor=not-a-cursor", **plain).status_code == 400


def test_the_api_findings_equal_export_findings_json_for_the_demo_programme(settings: Any, tmp_path: Any) -> None:
    from caseassess.accounts.models import User
    from caseassess.inspections.demo import load_demo
    from caseassess.inspections.models import Programme

    settings.VAR_DIR = tmp_path
    load_demo(cases_per_inspection=12)
    prog = Programme.objects.get()
    out = tmp_path / "findings.json"
    call_command("export_findings", "--programme", prog.name, "--format", "json", "--output", str(out))
    secret = bearer(token(User.objects.get(username="admin"), "findings"))
    api_json = Client().get(f"/api/v1/programmes/{prog.pk}/findings", **secret).json()
    assert api_json == json.loads(out.read_text(encoding="utf-8"))
    assert api_json["total_cases"] > 0


def test_the_import_endpoint_refuses_a_bad_file_with_the_commands_row_errors_and_writes_nothing(
    inspection: Any, users: dict[str, Any], tmp_path: Any, capsys: Any
) -> None:
    from django.core.management.base import CommandError

    from caseassess.inspections.models import Case

    bad = "case_ref,question_id,answer\nIMP-1,B.4.1.1,yes\nIMP-1,B.4.1.1,maybe\nIMP-2,Z.9.9.9,yes\n"
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", inspection.name, str(path))
    command_errors = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    resp = Client().post(f"/api/v1/inspections/{inspection.pk}/import", {"file": io.BytesIO(bad.encode())},
                         **bearer(token(users["lead"], "import")))
    body = resp.json()
    assert resp.status_code == 400 and body["ok"] is False
    assert body["errors"] == command_errors and body["error_count"] == 2
    assert body["errors"] == [
        "Row 3: answer 'maybe' is not allowed for B.4.1.1: choose one of the listed answers (allowed: yes, no)",
        "Row 4: unknown question id 'Z.9.9.9' in mini-2013",
    ]
    assert not Case.objects.filter(inspection=inspection).exists()
    good = "case_ref,question_id,answer\nIMP-1,B.4.1.1,yes\n"
    resp = Client().post(f"/api/v1/inspections/{inspection.pk}/import", {"file": io.BytesIO(good.encode())},
                         **bearer(token(users["lead"], "import")))
    assert resp.status_code == 200 and resp.json()["cases_created"] == 1


def test_the_openapi_document_validates_and_matches_the_committed_snapshot() -> None:
    from openapi_spec_validator import validate

    doc = Client().get("/api/v1/openapi.json").json()
    validate(doc)
    assert {"/api/v1/programmes", "/api/v1/inspections/{inspection_id}/answers",
            "/api/v1/programmes/{programme_id}/findings", "/api/v1/inspections/{inspection_id}/import"} <= set(doc["paths"])
    current = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert SNAPSHOT.read_text(encoding="utf-8") == current, (
        "the API changed: run `python manage.py export_openapi docs/openapi.json` and commit it"
    )


def test_agreement_withholds_kappa_below_the_minimum_number_of_cases(settings: Any, tmp_path: Any) -> None:
    from caseassess.accounts.models import User
    from caseassess.inspections.demo import load_demo
    from caseassess.inspections.models import Programme

    settings.VAR_DIR = tmp_path
    load_demo(cases_per_inspection=12)
    secret = bearer(token(User.objects.get(username="admin"), "findings"))
    url = f"/api/v1/programmes/{Programme.objects.get().pk}/agreement"
    data = Client().get(url, **secret).json()
    assert data["cases"] < 10 and data["too_few_cases"] is True  # the demo double-assesses 6 cases
    assert data["report"]["by_question"] and all(r["kappa"] is None for r in data["report"]["by_question"])
    settings.KAPPA_MIN_CASES = 2
    from django.core.cache import cache

    cache.clear()
    data = Client().get(url, **secret).json()
    assert data["too_few_cases"] is False
    assert any(r["kappa"] is not None for r in data["report"]["by_question"])
