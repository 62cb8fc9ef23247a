from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini-instrument"
PASSWORD = "a-long-test-password-2013"


@pytest.fixture
def mini_version(db: Any) -> Any:
    from caseassess.instruments.services import instrument_load

    return instrument_load(path=MINI).version


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    from caseassess.accounts.models import User

    out = {}
    for name, role in [("assessor", "inspector"), ("assessor2", "inspector"), ("lead", "inspector"), ("analyst", "analyst"), ("outsider", "inspector"), ("admin", "administrator")]:
        out[name] = User.objects.create_user(username=name, password=PASSWORD, role=role)
    return out


@pytest.fixture
def inspection(mini_version: Any, users: dict[str, Any]) -> Any:
    from caseassess.inspections.models import Area, Inspection, Programme

    prog = Programme.objects.create(name="IAOW test programme", period_start=dt.date(2013, 4, 1), period_end=dt.date(2017, 3, 31))
    prog.instruments.add(mini_version)
    area = Area.objects.create(name="Testshire Probation Trust")
    area.leads.add(users["lead"])
    insp = Inspection.objects.create(
        programme=prog, name="IAOW Testshire", area=area, topic="protecting children",
        fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=mini_version,
    )
    add_members(insp, users, assessor="assessor", assessor2="assessor", lead="lead_inspector", analyst="analyst")
    return insp


def add_members(inspection: Any, users: dict[str, Any], **roles: str) -> None:
    """Make ``users[name]`` a member of the inspection with the role given for it
    (lead_inspector, assessor or analyst): roles are per inspection."""
    from caseassess.inspections.models import Membership

    for name, role in roles.items():
        Membership.objects.update_or_create(inspection=inspection, user=users[name], defaults={"role": role})


@pytest.fixture
def assessment(inspection: Any, users: dict[str, Any]) -> Any:
    from caseassess.inspections.services import case_add

    case = case_add(inspection=inspection, actor=users["lead"], case_ref="TST-0001", assessor=users["assessor"], details={"report_type": "standard_delivery", "sentence_type": "community_order"})
    return case.assessments.get()


def client_for(user: Any) -> Any:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


# --- Two-factor sign-in (docs/security.md) -------------------------------------------
# Two-factor sign-in is on in tests (CASEASSESS_REQUIRE_2FA defaults to on unless
# DJANGO_DEBUG=1). A test client signed in with Client.force_login (client_for above)
# stands for a user who has completed sign-in, so its session is also marked as having
# passed the TOTP step. Tests of the sign-in and code pages themselves post the real
# sign-in form, which never goes through force_login.


def totp_device(user: Any, *, confirmed: bool = True) -> Any:
    """The user's authenticator (a TOTP device), created if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=confirmed)


def totp_code(device: Any, *, offset_steps: int = 0) -> str:
    """The code the user's authenticator app shows now (or ``offset_steps`` periods away)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def verify_two_factor(client: Any, user: Any) -> Any:
    """Mark the client's signed-in session as having passed two-factor sign-in."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client


def verified_client_for(user: Any) -> Any:
    """A client signed in as ``user`` with the TOTP step done: what every page needs."""
    return verify_two_factor(client_for(user), user)


@pytest.fixture(autouse=True)
def _force_login_includes_two_factor(monkeypatch: Any) -> None:
    from django.test import Client

    original = Client.force_login

    def force_login(self: Any, user: Any, backend: Any = None) -> None:
        original(self, user, backend)
        verify_two_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def run_jobs() -> int:
    """Run every queued background task with the real worker of django-tasks-db
    (``manage.py db_worker --batch``), in this process so it sees the test database."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    from caseassess.jobs.models import Job

    before = Job.objects.count()
    # The worker closes "old" connections between tasks; inside a test's transaction that
    # would close the test's own connection.
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        db_worker.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                         max_tasks=None, worker_id="pytest", excluded_queue_names=[]).run()
    return before


def follow_job(client: Any, response: Any) -> Any:
    """After a request that started a background job (a redirect to its page): run the
    queued tasks, then fetch the job's page (what the person sees when it has finished)."""
    if response.status_code != 302 or "/jobs/" not in response["Location"]:
        return response
    run_jobs()
    return client.get(response["Location"])
