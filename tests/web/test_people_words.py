"""People's words on every page: no internal codes, no ISO dates, no editorial notes.

The test loads the demo programme, then, as each role, follows every link from the home
page (a few pages per kind of page) and reads the text a person sees or hears. It fails on
internal codes (``status:submitted``, ``explain_warning``, a rule id such as ``CR05``,
snake_case values such as ``planning_not_completed``, raw dicts), dates written
``2011-03-26`` instead of "26 March 2011", and editorial notes such as "[Not described in
the guide: wording reconstructed]" outside the instrument browser.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from django.test import Client

from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

ROLES = ["assessor", "lead", "analyst", "admin"]
PER_KIND = 2  # pages per kind of page (its path with numbers replaced)
MAX_PAGES = 200
SKIP = re.compile(r"/sign-out/|/static/|/api/|/export|\.(csv|xlsx|pdf|json|sav)$|format=|/download")

CHECKS = {
    "an internal status code": re.compile(r"\bstatus:\w+"),
    "an audit action code": re.compile(r"\b(explain_warning|case_detail|status_change)\b"),
    "a consistency rule id": re.compile(r"\bCR\d{2}\b"),
    "a snake_case value": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    "a raw dict": re.compile(r"\{['\"]\w+['\"]\s*:"),
    "an ISO date": re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b"),
}
# Pages each role must have reached (kinds: paths with numbers as N), so the crawl is not
# passing by reading nothing.
_CASE_PAGES = {"/assessments/N/", "/assessments/N/case-details/", "/assessments/N/sections/B.N.N/",
               "/assessments/N/check/", "/cases/N/history/"}
EXPECTED_KINDS = {
    "assessor": _CASE_PAGES | {"/", "/inspections/N/", "/findings/", "/instruments/iaow-N-N/"},
    "lead": _CASE_PAGES | {"/", "/inspections/N/", "/assessments/N/review/", "/instruments/iaow-N-N/tables/tiering_grid/"},
    "analyst": {"/", "/inspections/N/", "/findings/"},
    "admin": {"/", "/inspections/N/"},
}
EDITORIAL = re.compile(r"\[(Not described in the guide|Editorial|Reconstructed)", re.IGNORECASE)


class PageText(HTMLParser):
    """The text of a page as read (scripts, styles and attribute values left out) and its links.

    Text inside ``<code>`` (a CSV column a person must type, an expression of the instrument's
    language) or inside an element marked ``data-source-text`` (an instrument's editorial
    note, in the instrument browser) is kept apart: it is meant verbatim, so it is checked
    for dates and editorial notes but not for codes."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.verbatim: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._verbatim: list[str] = []  # open tags whose text is verbatim

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "code" or "data-source-text" in dict(attrs) or (self._verbatim and tag == self._verbatim[-1]):
            self._verbatim.append(tag)
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1
        if self._verbatim and tag == self._verbatim[-1]:
            self._verbatim.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            (self.verbatim if self._verbatim else self.text).append(data)


def kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def problems_in(path: str, text: str, verbatim: str = "") -> list[str]:
    found = []
    for m in CHECKS["an ISO date"].finditer(verbatim):
        found.append(f"{path}: an ISO date {m.group(0)!r}")
    text_and_verbatim = text + " " + verbatim
    for what, pattern in CHECKS.items():
        for m in pattern.finditer(text):
            around = text[max(0, m.start() - 50): m.end() + 50].replace("\n", " ")
            found.append(f"{path}: {what} {m.group(0)!r} in …{around}…")
    if not path.startswith("/instruments/"):  # the instrument browser shows the editorial notes
        for m in EDITORIAL.finditer(text_and_verbatim):
            found.append(f"{path}: an editorial note {text_and_verbatim[m.start(): m.start() + 60]!r}")
    return found


def crawl(client: Client) -> tuple[list[str], set[str]]:
    """Problems found, and the kinds of page read."""
    seen: set[str] = set()
    per_kind: Counter[str] = Counter()
    queue = ["/"]
    problems: list[str] = []
    read = 0
    kinds: set[str] = set()
    while queue and read < MAX_PAGES:
        path = queue.pop(0)
        k = kind(urlparse(path).path)
        if path in seen or SKIP.search(path) or per_kind[k] >= PER_KIND:
            continue
        seen.add(path)
        per_kind[k] += 1
        r = client.get(path)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        read += 1
        kinds.add(k)
        parser = PageText()
        parser.feed(r.content.decode())
        problems += problems_in(path, " ".join(" ".join(parser.text).split()), " ".join(parser.verbatim))
        for href in parser.links:
            href = urldefrag(href)[0]
            if href.startswith("/") and not href.startswith("//") and href not in seen:
                queue.append(href)
    return problems, kinds


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> None:
    from caseassess.assessments import services
    from caseassess.assessments.models import Assessment
    from caseassess.inspections.demo import load_demo

    settings.VAR_DIR = tmp_path
    settings.CASEASSESS_REQUIRE_2FA = False
    load_demo(cases_per_inspection=6)
    # Some history to read: an explained warning, a submission, a return.
    from caseassess.accounts.models import User

    lead = User.objects.get(username="lead")
    doing = Assessment.objects.filter(status="in_progress").select_related("case", "assessor").first()
    services.assessment_explain(assessment=doing, actor=doing.assessor, explanations={"CR01": "Explained on 26 March 2011."})
    done = Assessment.objects.filter(status="submitted").select_related("case").first()
    services.assessment_return(assessment=done, actor=lead, reason="Check the planning answers")


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_internal_codes_iso_dates_or_editorial_notes(demo: None, role: str) -> None:
    from caseassess.accounts.models import User

    client = client_for(User.objects.get(username=role))
    problems, kinds = crawl(client)
    expected = EXPECTED_KINDS[role]
    assert expected <= kinds, f"the crawl as {role} did not reach {sorted(expected - kinds)}"
    assert not problems, f"{len(problems)} problems as {role}:\n" + "\n".join(problems[:40])


def test_the_checks_catch_what_they_are_for() -> None:
    assert problems_in("/cases/1/history/", "Submitted by Asha status:submitted")
    assert problems_in("/cases/1/history/", "explain_warning CR05")
    assert problems_in("/assessments/1/", "Answer planning_not_completed")
    assert problems_in("/assessments/1/", "Due by 2013-12-30")
    assert problems_in("/assessments/1/sections/C.2.1/", "C.2.1.13 Did ... [Not described in the guide: wording reconstructed]")
    assert not problems_in("/instruments/iaow-2013-10/sections/C.2.1/", "[Not described in the guide: wording reconstructed]")
    assert not problems_in("/cases/1/history/", "Submitted on 26 March 2011 at 14:05; Explained warning: E.2.3.2 ...")
    assert not problems_in("/inspections/1/cases/new/", "The first row names the columns:", "case_ref sentence_type")
    assert problems_in("/inspections/1/cases/new/", "", "supervision_start_date 2013-10-27")
