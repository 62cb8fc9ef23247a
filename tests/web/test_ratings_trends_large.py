"""The ratings and trends pages of a large programme whose count table is stale wait for the
background rebuild like the findings page does: no request rebuilds a large inspection itself."""

from __future__ import annotations

from typing import Any

import pytest

from caseassess.jobs.models import Job
from caseassess.reporting import counts
from caseassess.reporting.models import FindingsCountState
from tests.web import test_ratings, test_trends
from tests.web.conftest import client_for, run_jobs

pytestmark = pytest.mark.django_db
rated_version, rated, rounds = test_ratings.rated_version, test_ratings.rated, test_trends.rounds


def test_the_ratings_page_waits_for_a_large_rebuild(rated: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr(counts, "REBUILD_INLINE_MAX_CASES", 2)  # "large": more than 2 cases (4 submitted, not yet counted)
    c = client_for(users["analyst"])
    for url in (f"/findings/programmes/{rated.programme_id}/ratings/", f"/findings/inspections/{rated.pk}/ratings/"):
        r = c.get(url)
        assert r.status_code == 202 and "Bringing the findings up to date" in r.content.decode(), url
    assert not FindingsCountState.objects.filter(inspection=rated).exclude(state="").exists()  # not counted in the request
    assert Job.objects.filter(kind="counts").count() == 1
    run_jobs()
    r = c.get(f"/findings/programmes/{rated.programme_id}/ratings/")
    assert r.status_code == 200 and "Good" in r.content.decode()  # 3 of 4 = 75%


def test_the_trends_page_waits_for_a_large_rebuild(rounds: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    earlier, later = rounds
    FindingsCountState.objects.all().delete()  # the count table stale, as after a restore
    monkeypatch.setattr(counts, "REBUILD_INLINE_MAX_CASES", 2)
    c = client_for(users["analyst"])
    r = c.get(f"/findings/programmes/{later.pk}/trends/", {"earlier": earlier.pk})
    assert r.status_code == 202 and "Bringing the findings up to date" in r.content.decode()
    run_jobs()
    r = c.get(f"/findings/programmes/{later.pk}/trends/", {"earlier": earlier.pk})
    assert r.status_code == 200 and "40% (20)" in r.content.decode() and "90% (20)" in r.content.decode()
