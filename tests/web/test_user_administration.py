"""The administrator's user pages and the account commands (issue 12 item 2): invite with a
one-time expiring link, set password then two-factor, change role, deactivate (never
delete), reset two-factor, unlock; every change audited; bad input refused whole."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tests.web.conftest import PASSWORD, client_for, totp_code, totp_device

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "correct-horse-battery-staple-9"


def _link(html: str) -> str:
    m = re.search(r"(/account/welcome/[A-Za-z0-9_-]+/)", html)
    assert m, "no one-time link on the page"
    return m.group(1)


def _events(action: str) -> list[Any]:
    from caseassess.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- listing --------------------------------------------------------------------------


def test_the_user_list_shows_role_status_and_last_sign_in_in_words(users: dict[str, Any]) -> None:
    from caseassess.accounts.models import User

    User.objects.filter(username="lead").update(last_login=dt.datetime(2011, 3, 26, 10, 30, tzinfo=dt.UTC))
    html = client_for(users["admin"]).get(reverse("accounts:users")).content.decode()
    assert "26 March 2011 10:30" in html
    assert "Inspector" in html and "Administrator" in html and "Never" in html and ">inspector<" not in html
    assert "Active" in html


# --- invite, set password, enrol two-factor ----------------------------------------------


def test_an_invited_person_sets_a_password_then_enrols_two_factor_and_the_link_works_once(users: dict[str, Any]) -> None:
    from caseassess.accounts.models import User

    admin = client_for(users["admin"])
    r = admin.post(reverse("accounts:user_create"), {"username": "j.smith", "first_name": "Jo", "last_name": "Smith", "email": "jo@example.gov.uk", "role": "inspector"})
    assert r.status_code == 200 and "Account created" in r.content.decode()
    assert r["Cache-Control"] == "no-store"
    link = _link(r.content.decode())
    jo = User.objects.get(username="j.smith")
    assert not jo.has_usable_password() and jo.role == "inspector"
    assert _events("user_create")[-1].new["username"] == "j.smith"

    c = Client()
    page = c.get(link)
    assert page.status_code == 200 and "Set your password" in page.content.decode() and page["Referrer-Policy"] == "same-origin"
    r = c.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:two_factor_setup")
    jo.refresh_from_db()
    assert jo.check_password(NEW_PASSWORD)
    # Nothing else is reachable before the authenticator is set up.
    assert c.get(reverse("inspections:home"))["Location"].startswith(reverse("accounts:two_factor_setup"))
    c.get(reverse("accounts:two_factor_setup"))
    device = totp_device(jo, confirmed=False)
    r = c.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)})
    assert r.status_code == 302 and c.get(reverse("inspections:home")).status_code == 200
    assert [e.actor_id for e in _events("invitation_accept")] == [jo.pk]

    # The link is spent: a second use changes nothing.
    again = Client().post(link, {"password": "another-password-entirely-1", "confirm": "another-password-entirely-1"})
    assert again.status_code == 410
    jo.refresh_from_db()
    assert jo.check_password(NEW_PASSWORD)


def test_a_link_stops_working_after_it_expires(users: dict[str, Any]) -> None:
    from caseassess.accounts.models import Invitation
    from caseassess.accounts.services import user_create

    link = user_create(actor=users["admin"], username="late", role="inspector")
    Invitation.objects.update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    r = Client().get(link.path)
    assert r.status_code == 410 and "expired" in r.content.decode()
    assert Client().post(link.path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 410


def test_only_the_hash_of_the_token_is_stored(users: dict[str, Any]) -> None:
    from caseassess.accounts.models import Invitation
    from caseassess.accounts.services import user_create

    link = user_create(actor=users["admin"], username="hashed", role="inspector")
    token = link.path.rstrip("/").rsplit("/", 1)[1]
    stored = Invitation.objects.get(user=link.user)
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_weak_or_mismatched_passwords_are_refused_and_the_link_still_works(users: dict[str, Any]) -> None:
    from caseassess.accounts.services import user_create

    link = user_create(actor=users["admin"], username="weak", role="inspector")
    c = Client()
    r = c.post(link.path, {"password": "short", "confirm": "short"})
    html = r.content.decode()
    assert r.status_code == 400 and "govuk-error-summary" in html and 'href="#password"' in html and "at least 12 characters" in html
    r = c.post(link.path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert r.status_code == 400 and 'href="#confirm"' in r.content.decode() and "do not match" in r.content.decode()
    link.user.refresh_from_db()
    assert not link.user.has_usable_password()
    assert c.post(link.path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


# --- bad input on the create form ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "", "role": "inspector"}, "username", "Enter a username"),
        ({"username": "LEAD", "role": "inspector"}, "username", "already taken"),
        ({"username": "has space", "role": "inspector"}, "username", "letters, digits"),
        ({"username": "ok.name", "role": "inspector", "email": "not-an-email"}, "email", "correct format"),
        ({"username": "ok.name", "role": "superuser"}, "role", "Select the account"),
    ],
)
def test_bad_input_on_the_create_form_names_the_field_and_saves_nothing(users: dict[str, Any], data: dict[str, str], field: str, message: str) -> None:
    from caseassess.accounts.models import Invitation, User
    from caseassess.audit.models import AuditEvent

    before = (User.objects.count(), Invitation.objects.count(), AuditEvent.objects.count())
    r = client_for(users["admin"]).post(reverse("accounts:user_create"), data)
    html = r.content.decode()
    assert r.status_code == 400
    assert "govuk-error-summary" in html and f'href="#{field}"' in html and message in html
    assert "govuk-form-group--error" in html
    assert (User.objects.count(), Invitation.objects.count(), AuditEvent.objects.count()) == before


def test_every_problem_on_the_form_is_listed_at_once(users: dict[str, Any]) -> None:
    r = client_for(users["admin"]).post(reverse("accounts:user_create"), {"username": "admin", "email": "x@", "role": "nope"})
    html = r.content.decode()
    assert all(f'href="#{f}"' in html for f in ("username", "email", "role"))


# --- role, deactivate, reset, unlock ------------------------------------------------------


def test_changing_a_role_is_audited_with_old_and_new_in_words(users: dict[str, Any]) -> None:
    c = client_for(users["admin"])
    r = c.post(reverse("accounts:user_role", kwargs={"pk": users["analyst"].pk}), {"role": "administrator"})
    assert r.status_code == 302
    users["analyst"].refresh_from_db()
    assert users["analyst"].role == "administrator"
    ev = _events("user_role")[-1]
    assert (ev.old, ev.new, ev.actor_id) == ("Analyst", "Administrator", users["admin"].pk)


def test_an_unknown_role_is_refused_with_the_field_marked_and_nothing_changed(users: dict[str, Any]) -> None:
    r = client_for(users["admin"]).post(reverse("accounts:user_role", kwargs={"pk": users["analyst"].pk}), {"role": "superuser"})
    html = r.content.decode()
    assert r.status_code == 400 and 'href="#role"' in html and "Select the account" in html and "govuk-radios" in html
    users["analyst"].refresh_from_db()
    assert users["analyst"].role == "analyst" and not _events("user_role")


def test_the_only_administrator_cannot_be_demoted_or_deactivated(users: dict[str, Any]) -> None:
    from caseassess.accounts.models import User
    from caseassess.accounts.services import AccountError, user_deactivate

    c = client_for(users["admin"])
    r = c.post(reverse("accounts:user_role", kwargs={"pk": users["admin"].pk}), {"role": "analyst"})
    assert r.status_code == 400 and "only active administrator" in r.content.decode()
    assert User.objects.get(pk=users["admin"].pk).role == "administrator"
    with pytest.raises(AccountError):
        user_deactivate(actor=None, user=users["admin"])


def test_deactivating_keeps_the_account_and_its_name_but_stops_sign_in(users: dict[str, Any]) -> None:
    from caseassess.accounts.models import User

    signed_in = client_for(users["assessor"])
    assert signed_in.get(reverse("inspections:home")).status_code == 200
    r = client_for(users["admin"]).post(reverse("accounts:user_deactivate", kwargs={"pk": users["assessor"].pk}))
    assert r.status_code == 302
    user = User.objects.get(pk=users["assessor"].pk)  # still there
    assert not user.is_active
    # The open session ends at its next request; the password no longer signs in.
    assert signed_in.get(reverse("inspections:home")).status_code == 302
    assert Client().post(reverse("accounts:sign_in"), {"username": "assessor", "password": PASSWORD}).status_code == 400
    ev = _events("user_deactivate")[-1]
    assert (ev.entity_id, ev.old, ev.new) == (str(user.pk), True, False)
    html = client_for(users["admin"]).get(reverse("accounts:users")).content.decode()
    assert "Deactivated" in html
    client_for(users["admin"]).post(reverse("accounts:user_reactivate", kwargs={"pk": user.pk}))
    user.refresh_from_db()
    assert user.is_active and _events("user_reactivate")


def test_a_deactivated_persons_api_tokens_stop_working_too(users: dict[str, Any]) -> None:
    from caseassess.api.services import token_create

    secret = token_create(user=users["analyst"], name="scripts", scopes=["findings"], days=30)[1]
    api = Client()
    assert api.get("/api/v1/programmes", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client_for(users["admin"]).post(reverse("accounts:user_deactivate", kwargs={"pk": users["analyst"].pk}))
    assert api.get("/api/v1/programmes", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_an_administrator_cannot_deactivate_themselves(users: dict[str, Any]) -> None:
    from caseassess.accounts.models import User

    User.objects.create_user(username="admin2", password=PASSWORD, role="administrator")
    r = client_for(users["admin"]).post(reverse("accounts:user_deactivate", kwargs={"pk": users["admin"].pk}))
    assert r.status_code == 400 and "your own account" in r.content.decode()
    assert User.objects.get(pk=users["admin"].pk).is_active


def test_resetting_two_factor_removes_authenticator_and_password_and_gives_a_new_link(users: dict[str, Any]) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    totp_device(users["lead"])
    r = client_for(users["admin"]).post(reverse("accounts:user_reset_two_factor", kwargs={"pk": users["lead"].pk}))
    assert r.status_code == 200 and "Two-factor sign-in reset" in r.content.decode()
    link = _link(r.content.decode())
    users["lead"].refresh_from_db()
    assert not TOTPDevice.objects.filter(user=users["lead"]).exists()
    # The old password alone can no longer sign in and enrol a new authenticator.
    assert Client().post(reverse("accounts:sign_in"), {"username": "lead", "password": PASSWORD}).status_code == 400
    c = Client()
    assert c.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})["Location"] == reverse("accounts:two_factor_setup")
    assert _events("two_factor_reset")[-1].old == {"authenticators": 1}


def test_a_locked_account_is_shown_and_can_be_unlocked(users: dict[str, Any]) -> None:
    c = Client()
    for _ in range(10):
        c.post(reverse("accounts:sign_in"), {"username": "analyst", "password": "wrong-password-123"})
    assert c.post(reverse("accounts:sign_in"), {"username": "analyst", "password": PASSWORD}).status_code == 429
    admin = client_for(users["admin"])
    assert "Locked" in admin.get(reverse("accounts:users")).content.decode()
    assert "Unlock now" in admin.get(reverse("accounts:user_detail", kwargs={"pk": users["analyst"].pk})).content.decode()
    assert admin.post(reverse("accounts:user_unlock", kwargs={"pk": users["analyst"].pk})).status_code == 302
    assert c.post(reverse("accounts:sign_in"), {"username": "analyst", "password": PASSWORD}).status_code == 302
    assert _events("user_unlock")[-1].actor_id == users["admin"].pk


def test_a_new_link_replaces_the_earlier_one(users: dict[str, Any]) -> None:
    from caseassess.accounts.services import user_create

    first = user_create(actor=users["admin"], username="twice", role="inspector")
    r = client_for(users["admin"]).post(reverse("accounts:user_invite", kwargs={"pk": first.user.pk}))
    second = _link(r.content.decode())
    assert Client().get(first.path).status_code == 410
    assert Client().get(second).status_code == 200


# --- commands -------------------------------------------------------------------------


def test_create_user_deactivate_user_and_reset_two_factor_commands(users: dict[str, Any]) -> None:
    from caseassess.accounts.models import User

    out = StringIO()
    call_command("create_user", "k.jones", "--role", "analyst", "--email", "k@example.gov.uk", "--site-url", "https://caseassess.example", stdout=out)
    assert "https://caseassess.example/account/welcome/" in out.getvalue()
    assert User.objects.get(username="k.jones").role == "analyst"
    with pytest.raises(CommandError, match="already taken"):
        call_command("create_user", "K.Jones", stdout=StringIO())
    with pytest.raises(CommandError, match="Select the account"):
        call_command("create_user", "other", "--role", "boss", stdout=StringIO())
    assert User.objects.count() == len(users) + 1
    out = StringIO()
    call_command("reset_two_factor", "k.jones", stdout=out)
    assert "/account/welcome/" in out.getvalue()
    call_command("deactivate_user", "k.jones", stdout=StringIO())
    assert not User.objects.get(username="k.jones").is_active
    with pytest.raises(CommandError, match="no account"):
        call_command("deactivate_user", "nobody", stdout=StringIO())
    assert {e.action for e in _events("user_create") + _events("two_factor_reset") + _events("user_deactivate")} == {
        "user_create", "two_factor_reset", "user_deactivate"}
