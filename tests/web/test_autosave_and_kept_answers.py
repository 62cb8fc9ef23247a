"""Never lose an answer (issue 11 items 1-8, 10; issue 14 items 1 and 11): the autosave's
answers, versions for the same person, kept answers after the session ended, error pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from caseassess.assessments import services
from caseassess.assessments.kept import MARKER_COOKIE, PENDING_KEY
from caseassess.assessments.models import Answer
from tests.web.conftest import PASSWORD, client_for, totp_code, totp_device

pytestmark = pytest.mark.django_db

AUTOSAVE = {"HTTP_X_AUTOSAVE": "1", "HTTP_ACCEPT": "application/json"}


def section_url(a: Any, sec: str = "B.4.1") -> str:
    return f"/assessments/{a.pk}/sections/{sec}/"


def autosave(c: Client, url: str, fields: dict[str, Any], **extra: Any) -> Any:
    return c.post(url, {"autosave": "1", **fields}, **AUTOSAVE, **extra)


# --- autosave answers ------------------------------------------------------------------


def test_autosave_answers_json_with_the_time_the_new_versions_and_what_is_left(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    r = autosave(c, section_url(assessment), {"q-B.4.1.1": "yes", "q-B.4.1.1-present": "1", "v-B.4.1.1": "0", "client_stamp": "5", "client_tab": "t1"})
    body = r.json()
    assert r.status_code == 200 and body["state"] == "saved"
    assert body["versions"] == {"v-B.4.1.1": 1, "v-B.4.1.6": 0}
    assert body["unanswered"] == ["B.4.1.6"] and len(body["saved_at"]) == 5


def d228_yes(assessment: Any, user: Any) -> None:
    services.assessment_save_section(assessment=assessment, actor=user, section_id="D.2.2", values={"D.2.2.8": "yes"}, comments={}, base_versions={}, client_stamp=0)


def test_an_autosave_carries_the_consistency_warnings_of_the_section(assessment: Any, users: dict[str, Any]) -> None:
    d228_yes(assessment, users["assessor"])
    c = client_for(users["assessor"])
    url = section_url(assessment)
    body = autosave(c, url, {"q-B.4.1.1": "yes", "q-B.4.1.1-present": "1", "q-B.4.1.6": "no", "q-B.4.1.6-present": "1", "client_tab": "t"}).json()
    assert [(w["rule"], w["explained"]) for w in body["warnings"]] == [("CR01", False)]
    assert "B.4.1.6" in body["warnings"][0]["questions"]
    # The page shows it beside the question, and the task list counts it on the section.
    html = c.get(url).content.decode()
    notes = html[html.index('data-notes-for="B.4.1.6"'):]
    assert 'data-rule="CR01"' in notes[: notes.index("</div>\n</div>") + 20]
    task_list = c.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "1 warning</strong> to resolve or explain before you submit" in task_list


def test_save_and_continue_says_when_the_section_has_a_warning_to_explain(assessment: Any, users: dict[str, Any]) -> None:
    d228_yes(assessment, users["assessor"])
    c = client_for(users["assessor"])
    r = c.post(section_url(assessment), {"q-B.4.1.1": "yes", "q-B.4.1.1-present": "1", "q-B.4.1.6": "no", "q-B.4.1.6-present": "1", "action": "continue"}, follow=True)
    html = r.content.decode()
    assert "B.4.1 saved. It has 1 consistency warning to resolve or explain before you submit." in html


def test_the_same_assessor_in_two_tabs_never_reverts_an_answer_saved_in_the_other(assessment: Any, users: dict[str, Any]) -> None:
    """Tab A and tab B opened at version 0; A saves "no"; B, later, sends "yes" over version 0."""
    c = client_for(users["assessor"])
    url = section_url(assessment)
    assert autosave(c, url, {"q-B.4.1.1": "no", "v-B.4.1.1": "0", "client_stamp": "1000", "client_tab": "A"}).status_code == 200
    r = autosave(c, url, {"q-B.4.1.1": "yes", "v-B.4.1.1": "0", "client_stamp": "2000", "client_tab": "B"})
    assert r.status_code == 409
    conflict = r.json()["conflicts"][0]
    assert conflict["question"] == "B.4.1.1" and conflict["by"] == "you, in another tab or on another device" and conflict["theirs"] == "No"
    assert Answer.objects.get(question_id="B.4.1.1").value == "no"
    # Without JavaScript tab B posts the whole page with its old versions: the conflict page.
    r = c.post(url, {"q-B.4.1.1-present": "1", "q-B.4.1.6": "yes", "q-B.4.1.6-present": "1", "v-B.4.1.1": "0", "v-B.4.1.6": "0", "action": "return"})
    assert r.status_code == 409 and "These answers were changed since this page was opened" in r.content.decode()
    assert Answer.objects.get(question_id="B.4.1.1").value == "no"


def test_the_tab_that_saved_an_answer_may_change_it_again_before_its_reply_arrives(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    url = section_url(assessment)
    assert autosave(c, url, {"q-B.4.1.1": "no", "v-B.4.1.1": "0", "client_stamp": "1000", "client_tab": "A"}).status_code == 200
    # Sent as the page was left, before the first reply updated its version.
    assert autosave(c, url, {"q-B.4.1.1": "yes", "v-B.4.1.1": "0", "client_stamp": "1500", "client_tab": "A"}).status_code == 200
    assert Answer.objects.get(question_id="B.4.1.1").value == "yes"


def test_continue_goes_to_the_next_unfinished_section(assessment: Any, users: dict[str, Any]) -> None:
    a = users["assessor"]
    services.assessment_save_section(assessment=assessment, actor=a, section_id="D.2.2", values={"D.2.2.8": "yes"}, comments={}, base_versions={}, client_stamp=0)
    c = client_for(a)
    r = c.post(f"/assessments/{assessment.pk}/sections/A.1.1/", {"q-A.1.1.4": "yes", "q-A.1.1.4-present": "1", "action": "continue"})
    assert r["Location"].endswith("/sections/B.4.1/")
    r = c.post(section_url(assessment), {"q-B.4.1.1": "yes", "q-B.4.1.1-present": "1", "q-B.4.1.6": "yes", "q-B.4.1.6-present": "1", "action": "continue"})
    assert r["Location"].endswith(f"/assessments/{assessment.pk}/check/")  # D.2.2 is already completed
    r = c.post(details_url(assessment), {"details_version": "0", "d-gender": "male", "d-gender-present": "1", "action": "continue"})
    assert r["Location"].endswith(f"/assessments/{assessment.pk}/check/")  # every section is completed


def test_unanswered_questions_are_linked_from_the_task_list_and_check_your_answers(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    c.post(section_url(assessment), {"q-B.4.1.1": "yes", "q-B.4.1.1-present": "1", "action": "return"})
    task_list = c.get(f"/assessments/{assessment.pk}/").content.decode()
    assert f'href="/assessments/{assessment.pk}/sections/B.4.1/#question-B_4_1_6">B.4.1.6</a>' in task_list
    assert f'Needed before you submit: <a class="govuk-link" href="/assessments/{assessment.pk}/case-details/#field-rosh_at_start">RoSH at start</a>' in task_list
    section = c.get(section_url(assessment)).content.decode()
    assert "Not answered yet" in section[section.index('id="question-B_4_1_6"'):]
    check = c.post(f"/assessments/{assessment.pk}/check/", {"action": "submit"}).content.decode()
    assert f'href="/assessments/{assessment.pk}/sections/B.4.1/#question-B_4_1_6">Complete B.4.1' in check and "B.4.1.6 is not answered" in check
    assert f'href="/assessments/{assessment.pk}/case-details/#field-gender">Enter “Gender” in the case details' in check


# --- case details ----------------------------------------------------------------------


def details_url(a: Any) -> str:
    return f"/assessments/{a.pk}/case-details/"


def test_one_bad_case_detail_never_blocks_the_others(assessment: Any, users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    r = c.post(details_url(assessment), {
        "details_version": "0", "d-ogrs_score": "lots", "d-gender": "female", "d-gender-present": "1",
        "d-rosh_at_start": "high", "d-rosh_at_start-present": "1", "action": "return",
    })
    html = r.content.decode()
    assert r.status_code == 400
    assert 'href="#d-ogrs_score"' in html and "govuk-form-group--error" in html
    assert "Every other change on this page has been saved." in html
    assessment.case.refresh_from_db()
    assert assessment.case.details["gender"] == "female" and assessment.case.details["rosh_at_start"] == "high"
    assert "ogrs_score" not in assessment.case.details
    # The autosave says the same, field by field.
    r = autosave(c, details_url(assessment), {"details_version": str(assessment.case.details_version), "d-ogrs_score": "x", "d-gender": "male", "d-gender-present": "1"})
    assert r.status_code == 400 and list(r.json()["errors"]) == ["d-ogrs_score"]
    assessment.case.refresh_from_db()
    assert assessment.case.details["gender"] == "male"


def test_case_detail_dates_are_three_boxes_with_gov_uk_messages(assessment: Any, users: dict[str, Any], mini_version: Any) -> None:
    from caseassess.assessments.views import _date_from

    assert _date_from("Sentence date", "7", "3", "2013") == ("2013-03-07", None)
    assert _date_from("Sentence date", "7", "", "2013") == (None, "Sentence date must include a month")
    assert _date_from("Sentence date", "31", "2", "2013") == (None, "Sentence date must be a real date")
    assert _date_from("Sentence date", "", "", "") == (None, None)


def test_the_iaow_case_details_page_has_a_date_input_not_a_native_date_field(users: dict[str, Any]) -> None:
    import datetime as dt

    from django.conf import settings

    from caseassess.inspections.models import Area, Inspection, Programme
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load
    from tests.web.conftest import add_members

    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.create(programme=Programme.objects.create(name="P"), name="IAOW Dateshire", area=Area.objects.create(name="Dateshire"),
                                     fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=version)
    add_members(insp, users, assessor="assessor")
    a = case_add(inspection=insp, actor=users["assessor"], case_ref="D-1", assessor=users["assessor"]).assessments.get()
    c = client_for(users["assessor"])
    html = c.get(details_url(a)).content.decode()
    assert 'type="date"' not in html and 'name="d-sentence_date-day"' in html and 'name="d-sentence_date-year"' in html
    r = c.post(details_url(a), {"details_version": "0", "d-sentence_date-day": "4", "d-sentence_date-month": "", "d-sentence_date-year": "2013",
                                "d-gender": "male", "d-gender-present": "1", "action": "return"})
    html = r.content.decode()
    assert r.status_code == 400 and "must include a month" in html and 'value="4"' in html
    a.case.refresh_from_db()
    assert a.case.details.get("gender") == "male" and "sentence_date" not in a.case.details
    c.post(details_url(a), {"details_version": str(a.case.details_version), "d-sentence_date-day": "4", "d-sentence_date-month": "11", "d-sentence_date-year": "2013", "action": "return"})
    a.case.refresh_from_db()
    assert a.case.details["sentence_date"] == "2013-11-04"
    assert "(needed before you submit)" in c.get(details_url(a)).content.decode()


# --- kept answers after the session ended ------------------------------------------------


def signed_in_then_expired(user: Any) -> Client:
    """A browser that was signed in (it holds the kept-answers marker) whose session ended."""
    c = client_for(user)
    c.get("/")  # a signed-in page sets the marker
    assert MARKER_COOKIE in c.cookies
    Session.objects.all().delete()
    return c


def sign_in_again(c: Client, user: Any, next_url: str) -> None:
    r = c.post("/account/sign-in/", {"username": user.username, "password": PASSWORD, "next": next_url})
    assert r.status_code == 302
    r = c.post(r["Location"], {"code": totp_code(totp_device(user))})
    assert r.status_code == 302


def test_answers_typed_after_the_session_ended_are_offered_back_with_their_version(assessment: Any, users: dict[str, Any]) -> None:
    totp_device(users["assessor"])
    c = signed_in_then_expired(users["assessor"])
    url = section_url(assessment)
    r = c.post(url, {"q-B.4.1.1": "no", "q-B.4.1.1-present": "1", "v-B.4.1.1": "0", "page_user": str(users["assessor"].pk)})
    assert r.status_code == 302 and "/account/sign-in/" in r["Location"]
    sign_in_again(c, users["assessor"], url)
    html = c.get(url).content.decode()
    assert "We kept what you typed" in html and 'value="no" checked' in html
    assert 'data-restored="q-B.4.1.1"' in html and 'name="v-B.4.1.1" value="0"' in html
    assert not Answer.objects.exists()


def test_a_kept_answer_is_never_saved_over_a_newer_one(assessment: Any, users: dict[str, Any]) -> None:
    totp_device(users["assessor"])
    c = signed_in_then_expired(users["assessor"])
    url = section_url(assessment)
    c.post(url, {"q-B.4.1.1": "no", "q-B.4.1.1-present": "1", "v-B.4.1.1": "0", "page_user": str(users["assessor"].pk)})
    # Meanwhile the lead answered "yes" (version 1).
    services.assessment_save_section(assessment=assessment, actor=users["lead"], section_id="B.4.1", values={"B.4.1.1": "yes"}, comments={}, base_versions={}, client_stamp=0)
    sign_in_again(c, users["assessor"], url)
    html = c.get(url).content.decode()
    assert 'name="v-B.4.1.1" value="0"' in html  # the kept answer's own version, not the newer one
    r = c.post(url, {"q-B.4.1.1": "no", "q-B.4.1.1-present": "1", "v-B.4.1.1": "0", "action": "return"})
    assert r.status_code == 409
    assert Answer.objects.get(question_id="B.4.1.1").value == "yes"


def test_an_anonymous_flood_stores_nothing(assessment: Any) -> None:
    c = Client()
    big = "x" * 150_000
    for i in range(40):
        r = c.post(section_url(assessment), {"q-B.4.1.1": "no", "c-B.4.1.1": big, "n": str(i)})
        assert r.status_code == 302
    r = c.post(section_url(assessment), {"q-B.4.1.1": "no"}, **AUTOSAVE)
    assert r.status_code == 401 and r.json()["kept"] is False
    assert Session.objects.count() == 0


def test_a_forged_or_old_marker_stores_nothing(assessment: Any, users: dict[str, Any], settings: Any) -> None:
    c = Client()
    c.cookies[MARKER_COOKIE] = "eyJ1IjoxfQ:1abcde:forged"
    c.post(section_url(assessment), {"q-B.4.1.1": "no", "page_user": str(users["assessor"].pk)})
    assert Session.objects.count() == 0
    c = signed_in_then_expired(users["assessor"])
    settings.KEPT_ANSWERS_WINDOW = -1  # the marker is older than the window
    c.post(section_url(assessment), {"q-B.4.1.1": "no", "page_user": str(users["assessor"].pk)})
    assert Session.objects.count() == 0


def test_kept_answers_are_capped_per_session(assessment: Any, users: dict[str, Any], settings: Any) -> None:
    settings.KEPT_MAX_FORMS = 2
    settings.KEPT_MAX_BYTES = 20_000
    c = signed_in_then_expired(users["assessor"])
    me = str(users["assessor"].pk)
    for sec in ("A.1.1", "B.4.1", "D.2.2"):
        c.post(section_url(assessment, sec), {"c-X": "short", "page_user": me})
    c.post(section_url(assessment, "B.4.1"), {"c-B.4.1.1": "y" * 30_000, "page_user": me})  # too big: refused
    (session,) = Session.objects.all()
    pending = session.get_decoded()[PENDING_KEY]
    assert sorted(pending) == [section_url(assessment, "A.1.1"), section_url(assessment, "B.4.1")]
    assert len(json.dumps(pending)) <= 20_000


def test_another_persons_sign_in_discards_the_kept_answers(assessment: Any, users: dict[str, Any]) -> None:
    totp_device(users["assessor2"])
    c = signed_in_then_expired(users["assessor"])
    url = section_url(assessment)
    c.post(url, {"q-B.4.1.1": "no", "q-B.4.1.1-present": "1", "page_user": str(users["assessor"].pk)})
    assert Session.objects.count() == 1
    sign_in_again(c, users["assessor2"], "/")
    assert all(PENDING_KEY not in s.get_decoded() for s in Session.objects.all())
    # And the page of the assessment is not theirs anyway; kept answers are never shown to them.
    assert c.get(url).status_code == 404


def test_kept_answers_are_shown_only_to_the_person_who_typed_them(assessment: Any, users: dict[str, Any], rf: Any) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    from caseassess.assessments.kept import take_pending

    request = rf.get(section_url(assessment))
    request.session = SessionStore()
    request.session[PENDING_KEY] = {request.path: {"u": users["assessor"].pk, "data": {"q-B.4.1.1": ["no"]}}}
    request.user = users["assessor2"]
    assert take_pending(request) is None
    request.user = users["assessor"]
    assert take_pending(request) == {"q-B.4.1.1": ["no"]}


def test_a_stale_tab_after_signing_in_elsewhere_gets_the_session_ended_page_and_keeps_the_answers(assessment: Any, users: dict[str, Any]) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["assessor"])
    url = section_url(assessment)
    c.get(url)
    # Signed in again in another tab of this browser: the CSRF token rotated.
    c.cookies["csrftoken"] = "A" * 32
    r = c.post(url, {"csrfmiddlewaretoken": "B" * 32, "q-B.4.1.1": "no", "q-B.4.1.1-present": "1", "v-B.4.1.1": "0", "page_user": str(users["assessor"].pk)})
    html = r.content.decode()
    assert r.status_code == 403 and "Your session ended" in html and "We kept what you typed" in html
    assert "govuk-header" in html and "CSRF verification failed" not in html
    r = c.post(url, {"csrfmiddlewaretoken": "B" * 32, "q-B.4.1.1": "no", "page_user": str(users["assessor"].pk)}, **AUTOSAVE)
    assert r.status_code == 403 and r.json()["state"] == "session_ended"
    assert "We kept what you typed" in c.get(url).content.decode()


def test_a_page_left_open_by_one_person_is_never_kept_for_the_next(assessment: Any, users: dict[str, Any]) -> None:
    """The lead signed in on this browser; the assessor's old page posts with the old token."""
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["lead"])  # the lead may open the assessment, so would be shown it
    c.get(section_url(assessment))
    c.cookies["csrftoken"] = "A" * 32
    r = c.post(section_url(assessment), {"csrfmiddlewaretoken": "B" * 32, "q-B.4.1.1": "no", "page_user": str(users["assessor"].pk)})
    assert r.status_code == 403 and "What you sent from that page was not saved" in r.content.decode()
    assert all(PENDING_KEY not in s.get_decoded() for s in Session.objects.all())
    assert "We kept what you typed" not in c.get(section_url(assessment)).content.decode()


def test_keep_alive_gives_the_page_the_new_token_and_its_person(users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    data = c.get("/account/keep-alive/", HTTP_ACCEPT="application/json").json()
    assert data["user"] == users["assessor"].pk and len(data["csrf_token"]) >= 32


def test_sign_out_removes_the_marker(users: dict[str, Any]) -> None:
    c = client_for(users["assessor"])
    c.get("/")
    r = c.post("/account/sign-out/")
    assert r.cookies[MARKER_COOKIE].value == "" and r.cookies[MARKER_COOKIE]["max-age"] == 0


# --- error pages -------------------------------------------------------------------------


def test_error_pages_are_gov_uk_pages_with_a_way_back(users: dict[str, Any], settings: Any) -> None:
    from django.core.exceptions import PermissionDenied, SuspiciousOperation
    from django.urls import path

    settings.DEBUG = False

    def boom(request: Any) -> Any:
        raise RuntimeError("boom")

    def denied(request: Any) -> Any:
        raise PermissionDenied

    def bad(request: Any) -> Any:
        raise SuspiciousOperation("bad")

    import config.urls as root

    settings.ROOT_URLCONF = type("U", (), {
        "urlpatterns": [*root.urlpatterns, path("boom/", boom), path("denied/", denied), path("bad/", bad)],
        "handler400": root.handler400, "handler403": root.handler403, "handler404": root.handler404, "handler500": root.handler500,
    })
    c = client_for(users["assessor"])
    c.raise_request_exception = False
    for url, status, words in [("/no-such-page/", 404, "Page not found"), ("/boom/", 500, "Sorry, there is a problem with the service"),
                               ("/denied/", 403, "You cannot do that"), ("/bad/", 400, "There is a problem with the request")]:
        r = c.get(url)
        html = r.content.decode()
        assert r.status_code == status, url
        assert words in html and "govuk-header" in html and 'href="/"' in html, url


def test_expired_sessions_are_cleared_once_an_hour(users: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    from caseassess.assessments import kept

    Session.objects.create(session_key="x" * 32, session_data="e30:", expire_date=timezone.now() - dt.timedelta(minutes=1))
    kept._last_cleared["at"] = 0.0
    client_for(users["assessor"]).get("/")
    assert not Session.objects.filter(session_key="x" * 32).exists()
    Session.objects.create(session_key="y" * 32, session_data="e30:", expire_date=timezone.now() - dt.timedelta(minutes=1))
    client_for(users["assessor"]).get("/")  # within the hour: not again
    assert Session.objects.filter(session_key="y" * 32).exists()


def test_a_per_factor_answer_autosaves_and_a_stale_change_names_each_factor(users: dict[str, Any]) -> None:
    import datetime as dt

    from django.conf import settings

    from caseassess.inspections.models import Area, Inspection, Programme
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load
    from tests.web.conftest import add_members

    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.create(programme=Programme.objects.create(name="P"), name="IAOW Factorshire", area=Area.objects.create(name="Factorshire"),
                                     fieldwork_start=dt.date(2013, 11, 4), fieldwork_end=dt.date(2013, 11, 8), instrument=version)
    add_members(insp, users, assessor="assessor")
    a = case_add(inspection=insp, actor=users["assessor"], case_ref="F-1", assessor=users["assessor"], details={"rosh_at_start": "medium"}).assessments.get()
    c = client_for(users["assessor"])
    url = f"/assessments/{a.pk}/sections/E.3.3/"
    r = autosave(c, url, {"q-E.3.3.2-present": "1", "q-E.3.3.2:drug_misuse": "improved", "v-E.3.3.2": "0", "client_tab": "A"})
    assert r.status_code == 200 and r.json()["versions"]["v-E.3.3.2"] == 1
    r = autosave(c, url, {"q-E.3.3.2-present": "1", "q-E.3.3.2:drug_misuse": "worse", "v-E.3.3.2": "0", "client_tab": "B"})
    assert r.status_code == 409
    assert r.json()["conflicts"][0]["theirs"].endswith(": Improved")
