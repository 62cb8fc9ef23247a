"""Sign-in throttling, two-factor sign-in and session limits (docs/security.md)."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.test import Client

from tests.web.conftest import PASSWORD, client_for, totp_code, totp_device

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(SIGN_IN, {"username": username, "password": password}, **extra)


def fully_signed_in(user: Any) -> Client:
    """Password, then the code from the user's authenticator, through the real pages."""
    device = totp_device(user)
    c = Client()
    r = sign_in(c, user.username)
    assert r.status_code == 302 and r["Location"].startswith("/account/two-factor/")
    r = c.post(r["Location"], {"code": totp_code(device)})
    assert r.status_code == 302, r.content
    return c


def page_text(response: Any) -> str:
    """The page without what differs per request (CSRF token, nonce)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


# --- throttling ---------------------------------------------------------------------


def test_ten_failed_sign_ins_lock_that_username_from_that_address_for_fifteen_minutes(users: dict[str, Any]) -> None:
    from axes.models import AccessAttempt

    c = Client()
    for _ in range(9):
        assert sign_in(c, "assessor", "wrong-password-123").status_code == 400
    locked = sign_in(c, "assessor", "wrong-password-123")  # the 10th failure locks
    assert locked.status_code == 429
    r = sign_in(c, "assessor")  # even the right password is refused while locked
    assert r.status_code == 429 and "Wait 15 minutes" in r.content.decode()
    assert "_auth_user_id" not in c.session
    # 14 minutes later: still locked. 16 minutes later: the lock has expired.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=14))
    assert sign_in(c, "assessor").status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert sign_in(c, "assessor").status_code == 302


def test_a_spoofed_x_forwarded_for_does_not_reset_the_lockout(users: dict[str, Any]) -> None:
    c = Client()
    for i in range(10):
        sign_in(c, "assessor", "wrong-password-123", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    r = sign_in(c, "assessor", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert r.status_code == 429


def test_the_lockout_key_is_the_connection_address_unless_proxies_are_configured(rf: Any, settings: Any) -> None:
    from caseassess.accounts.security import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.1")
    settings.CASEASSESS_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.CASEASSESS_PROXY_COUNT = 1  # one trusted proxy: the address it saw, the last entry
    assert client_ip(request) == "192.0.2.1"
    settings.CASEASSESS_PROXY_COUNT = 3  # fewer entries than proxies: fall back to the connection
    assert client_ip(request) == "10.0.0.5"


def test_an_unknown_user_gets_the_same_page_and_the_same_password_hashing_as_a_wrong_password(users: dict[str, Any], monkeypatch: Any) -> None:
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls: list[str] = []
    original = MD5PasswordHasher.encode

    def counting(self: Any, password: str, salt: str) -> str:
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    known = sign_in(Client(), "assessor", "wrong-password-123")
    known_calls = len(calls)
    unknown = sign_in(Client(), "no-such-user", "wrong-password-123")
    assert known.status_code == unknown.status_code == 400
    assert page_text(known).replace("assessor", "USER") == page_text(unknown).replace("no-such-user", "USER")
    # The same work: one hash of the submitted password either way, so timing does not tell.
    assert known_calls == 1 and len(calls) == 2


def test_an_unknown_user_is_locked_out_with_the_same_message_as_a_known_one(users: dict[str, Any]) -> None:
    pages = []
    for username in ("assessor", "no-such-user"):
        c = Client()
        for _ in range(10):
            sign_in(c, username, "wrong-password-123")
        pages.append(sign_in(c, username, "wrong-password-123"))
    assert pages[0].status_code == pages[1].status_code == 429
    assert page_text(pages[0]).replace("assessor", "USER") == page_text(pages[1]).replace("no-such-user", "USER")


# --- two-factor sign-in -------------------------------------------------------------


def test_a_user_without_an_authenticator_is_asked_to_set_one_up_with_the_key_as_text_and_a_qr_code(users: dict[str, Any]) -> None:
    c = Client()
    r = sign_in(c, "assessor")
    assert r["Location"] == "/account/two-factor/set-up/"
    html = c.get(r["Location"]).content.decode()
    assert "Set up your authenticator app" in html
    assert "otpauth://totp/" in html and "<svg" in html
    key = re.search(r'id="otp-key">([A-Z2-7 ]+)<', html)
    assert key and len(key.group(1).replace(" ", "")) == 32  # 160-bit key in base32


def test_setting_up_the_authenticator_with_its_first_code_completes_sign_in(users: dict[str, Any]) -> None:
    c = Client()
    sign_in(c, "assessor")
    c.get("/account/two-factor/set-up/")
    device = totp_device(users["assessor"], confirmed=False)
    r = c.post("/account/two-factor/set-up/", {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert r.status_code == 400 and "The code is not correct" in r.content.decode()
    # Right after a wrong code, django-otp makes the user wait (1 s, then 2 s, 4 s ...).
    r = c.post("/account/two-factor/set-up/", {"code": totp_code(device)})
    assert r.status_code == 400 and "too many wrong codes" in r.content.decode()
    type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5))
    r = c.post("/account/two-factor/set-up/", {"code": totp_code(device)})
    assert r.status_code == 302 and r["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert c.get("/").status_code == 200


def test_a_signed_in_but_unverified_user_is_sent_to_the_code_page_from_every_case_report_and_admin_page(assessment: Any, users: dict[str, Any]) -> None:
    totp_device(users["lead"])
    c = Client()
    assert sign_in(c, "lead")["Location"] == "/account/two-factor/"
    insp = assessment.case.inspection_id
    for url in [
        "/", f"/inspections/{insp}/", f"/assessments/{assessment.pk}/", f"/assessments/{assessment.pk}/sections/B.4.1/",
        f"/cases/{assessment.case_id}/history/", "/findings/", f"/findings/inspections/{insp}/",
        f"/findings/inspections/{insp}/findings.csv", "/inspections/new/", "/instruments/",
    ]:
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/account/two-factor/?next="), url
    r = c.post(f"/assessments/{assessment.pk}/sections/B.4.1/", {"q-B.4.1.1": "no", "autosave": "1"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 401 and r["HX-Redirect"].startswith("/account/two-factor/")
    from caseassess.assessments.models import Answer

    assert not Answer.objects.exists()


def test_the_code_page_refuses_a_missing_or_wrong_code_with_a_clear_message(users: dict[str, Any]) -> None:
    device = totp_device(users["assessor"])
    c = Client()
    sign_in(c, "assessor")
    r = c.post("/account/two-factor/", {"code": ""})
    assert r.status_code == 400 and "Enter the 6-digit code from your authenticator app" in r.content.decode()
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    r = c.post("/account/two-factor/", {"code": wrong})
    assert r.status_code == 400 and "The code is not correct or has expired" in r.content.decode()
    assert c.get("/").status_code == 302


def test_a_used_code_cannot_be_replayed(users: dict[str, Any]) -> None:
    device = totp_device(users["assessor"])
    code = totp_code(device)
    a = Client()
    sign_in(a, "assessor")
    assert a.post("/account/two-factor/", {"code": code}).status_code == 302
    b = Client()
    sign_in(b, "assessor")
    assert b.post("/account/two-factor/", {"code": code}).status_code == 400


def test_a_password_alone_cannot_register_a_second_authenticator(users: dict[str, Any]) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    totp_device(users["assessor"])
    c = Client()
    sign_in(c, "assessor")
    r = c.get("/account/two-factor/set-up/")
    assert r.status_code == 302 and r["Location"].startswith("/account/two-factor/")
    assert "set-up" not in r["Location"]
    assert TOTPDevice.objects.filter(user=users["assessor"]).count() == 1


def test_two_factor_enforcement_can_be_switched_off_for_the_demo(users: dict[str, Any], settings: Any) -> None:
    settings.CASEASSESS_REQUIRE_2FA = False
    c = Client()
    assert sign_in(c, "assessor")["Location"] == "/"
    assert c.get("/").status_code == 200


def test_the_deploy_check_warns_when_two_factor_is_off(settings: Any) -> None:
    from caseassess.accounts.checks import two_factor_required

    settings.CASEASSESS_REQUIRE_2FA = False
    assert [w.id for w in two_factor_required(None)] == ["accounts.W001"]
    settings.CASEASSESS_REQUIRE_2FA = True
    assert two_factor_required(None) == []


# --- sessions -----------------------------------------------------------------------


def test_the_session_key_rotates_at_sign_in_and_again_after_the_code(users: dict[str, Any]) -> None:
    from django.conf import settings

    device = totp_device(users["assessor"])
    c = Client()
    c.get(SIGN_IN)
    c.session.save()
    c.cookies[settings.SESSION_COOKIE_NAME] = c.session.session_key
    before = c.cookies[settings.SESSION_COOKIE_NAME].value
    r = sign_in(c, "assessor")
    after_password = c.cookies[settings.SESSION_COOKIE_NAME].value
    c.post(r["Location"], {"code": totp_code(device)})
    after_code = c.cookies[settings.SESSION_COOKIE_NAME].value
    assert len({before, after_password, after_code}) == 3


def test_signing_out_ends_the_session_on_the_server_so_the_old_cookie_no_longer_works(users: dict[str, Any]) -> None:
    from django.conf import settings
    from django.contrib.sessions.models import Session

    c = fully_signed_in(users["assessor"])
    old = c.cookies[settings.SESSION_COOKIE_NAME].value
    assert c.get("/").status_code == 200
    c.post("/account/sign-out/")
    assert not Session.objects.filter(session_key=old).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old
    r = replay.get("/")
    assert r.status_code == 302 and r["Location"].startswith(SIGN_IN)


def test_a_session_ends_twelve_hours_after_sign_in_however_active(users: dict[str, Any]) -> None:
    c = fully_signed_in(users["assessor"])
    assert c.get("/").status_code == 200
    session = c.session
    session["signed_in_at"] = int(time.time()) - 12 * 60 * 60 + 30
    session.save()
    assert c.get("/").status_code == 200
    session = c.session
    session["signed_in_at"] = int(time.time()) - 12 * 60 * 60 - 1
    session.save()
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith(SIGN_IN)
    assert "_auth_user_id" not in c.session


def test_a_session_without_a_sign_in_time_is_ended(users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    session = c.session
    del session["signed_in_at"]
    session.save()
    assert c.get("/").status_code == 302


def test_a_session_idle_for_thirty_minutes_is_ended(users: dict[str, Any]) -> None:
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    c = fully_signed_in(users["assessor"])
    key = c.cookies[settings.SESSION_COOKIE_NAME].value
    before = Session.objects.get(session_key=key).expire_date
    assert dt.timedelta(minutes=29) < before - timezone.now() <= dt.timedelta(minutes=30)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith(SIGN_IN)


def test_stay_signed_in_refreshes_the_idle_timer_and_reports_the_time_left(users: dict[str, Any]) -> None:
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    c = fully_signed_in(users["assessor"])
    key = c.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=2))
    r = c.post("/account/keep-alive/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    data = r.json()
    assert data["signed_in"] and data["idle_seconds"] == 1800 and 12 * 3600 - 60 < data["absolute_remaining_seconds"] <= 12 * 3600
    assert Session.objects.get(session_key=key).expire_date - timezone.now() > dt.timedelta(minutes=29)
    # Without JavaScript the same button posts the form and comes back to the page.
    r = c.post("/account/keep-alive/", {"next": "/findings/"})
    assert r.status_code == 302 and r["Location"] == "/findings/"
    r = c.post("/account/keep-alive/", {"next": "https://evil.example/"})
    assert r["Location"] == "/"
    assert Client().post("/account/keep-alive/", HTTP_ACCEPT="application/json").status_code in (401, 403)


def test_signed_in_pages_carry_the_timeout_warning_as_an_external_script_and_a_form(users: dict[str, Any]) -> None:
    r = client_for(users["assessor"]).get("/")
    html = r.content.decode()
    assert 'id="session-timeout"' in html and 'data-idle-seconds="1800"' in html and 'data-warn-seconds="180"' in html
    assert "Stay signed in" in html and 'action="/account/keep-alive/"' in html
    assert "/static/caseassess/session-timeout.js" in html
    # The only inline script is GOV.UK Frontend's one-line js-enabled flag, under this response's nonce.
    nonce = re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1)  # type: ignore[union-attr]
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [f' nonce="{nonce}"']
    assert 'id="session-timeout"' not in Client().get(SIGN_IN).content.decode()


def test_session_and_csrf_cookies_are_httponly_and_samesite(users: dict[str, Any]) -> None:
    from django.conf import settings

    c = Client()
    r = c.get(SIGN_IN)
    r = sign_in(c, "assessor")
    cookie = r.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY and settings.CSRF_COOKIE_SAMESITE == "Lax"
    # Secure is set by CASEASSESS_SECURE=1: see test_security_headers.py (check --deploy).
