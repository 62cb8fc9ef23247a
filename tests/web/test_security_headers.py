"""Production settings pass Django's deploy checks; every response carries a CSP without
unsafe-inline; signed-in pages are never stored by the browser (docs/security.md)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from io import StringIO
django.setup()
from django.conf import settings
from django.core.management import call_command
out = StringIO()
call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
print(json.dumps({"out": out.getvalue(), "debug": settings.DEBUG, "session_secure": settings.SESSION_COOKIE_SECURE,
  "csrf_secure": settings.CSRF_COOKIE_SECURE, "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
  "samesite": settings.SESSION_COOKIE_SAMESITE, "hsts": settings.SECURE_HSTS_SECONDS, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
  "two_factor": settings.CASEASSESS_REQUIRE_2FA}))
"""


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CASEASSESS_TESTING", "DJANGO_DEBUG", "CASEASSESS_REQUIRE_2FA", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(64), CASEASSESS_SECURE="1",
               DJANGO_SETTINGS_MODULE="config.settings", DJANGO_ALLOWED_HOSTS="caseassess.example.gov.uk", **extra)
    return env


def test_check_deploy_reports_no_issues_with_production_settings() -> None:
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert "System check identified no issues (0 silenced)." in got["out"]
    assert got["debug"] is False and got["two_factor"] is True
    assert got["session_secure"] and got["csrf_secure"] and got["session_httponly"] and got["samesite"] == "Lax"
    assert got["hsts"] >= 31536000 and got["ssl_redirect"]


def test_check_deploy_fails_when_two_factor_is_switched_off_in_production() -> None:
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=production_env(CASEASSESS_REQUIRE_2FA="0"), capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "accounts.W001" in r.stderr


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    """The web application (config.wsgi) refuses to start; commands that sign nothing
    (validate_instrument, migrate, setup_site) still run (tests/web/test_first_run.py)."""
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    r = subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "DJANGO_SECRET_KEY" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "security.W009" in r.stderr and "Traceback" not in r.stderr


def csp(response: Any) -> dict[str, str]:
    return {d.split()[0]: d for d in (part.strip() for part in response["Content-Security-Policy"].split(";")) if d}


@pytest.mark.django_db
def test_the_csp_forbids_inline_script_and_style_and_uses_a_fresh_nonce_per_response(users: dict[str, Any]) -> None:
    from django.test import Client

    a, b = Client().get("/account/sign-in/"), client_for(users["assessor"]).get("/")
    for r in (a, b):
        policy = csp(r)
        assert "unsafe-inline" not in r["Content-Security-Policy"] and "unsafe-eval" not in r["Content-Security-Policy"]
        assert policy["default-src"] == "default-src 'self'"
        assert policy["script-src"].startswith("script-src 'self' 'nonce-")
        assert policy["style-src"] == "style-src 'self'"
        assert policy["object-src"] == "object-src 'none'" and policy["frame-ancestors"] == "frame-ancestors 'none'"
        assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"
        assert r["Referrer-Policy"] == "same-origin"
    assert csp(a)["script-src"] != csp(b)["script-src"]


@pytest.mark.django_db
def test_signed_in_pages_and_exports_are_not_stored_by_the_browser(assessment: Any, users: dict[str, Any]) -> None:
    insp = assessment.case.inspection_id
    lead = client_for(users["lead"])
    for url in ["/", f"/inspections/{insp}/", f"/assessments/{assessment.pk}/", f"/cases/{assessment.case_id}/history/",
                f"/findings/inspections/{insp}/", f"/findings/inspections/{insp}/findings.csv", "/instruments/mini-2013/"]:
        r = lead.get(url)
        assert r.status_code == 200, url
        assert "no-store" in r["Cache-Control"], url
