"""PDF exports as background tasks (django-tasks): several web processes asking for the same
report's PDF share one job (the job key is unique in the database), the worker lays it out
once, and a failed layout leaves nothing behind and can be tried again."""

from __future__ import annotations

from typing import Any

import pytest

from caseassess.jobs.models import Job
from caseassess.reporting import pdfcache
from tests.web.conftest import run_jobs

pytestmark = pytest.mark.django_db


def test_a_pdf_is_laid_out_once_by_the_worker_however_often_it_is_asked_for(monkeypatch: Any) -> None:
    calls: list[str] = []
    monkeypatch.setattr("caseassess.reporting.exports.to_pdf", lambda html, base: calls.append(html) or b"%PDF-1.7 test")
    key = "k" * 32
    assert pdfcache.pdf_status(key) == ("missing", None)
    for _ in range(3):  # three web processes, or three refreshes of the progress page
        pdfcache.pdf_start(key, "<p>report</p>", "/")
    assert Job.objects.filter(key=f"pdf:{key}").count() == 1
    assert pdfcache.pdf_status(key) == ("running", None) and calls == []  # nothing laid out inside a request
    run_jobs()
    assert calls == ["<p>report</p>"]
    assert pdfcache.pdf_status(key) == ("ready", b"%PDF-1.7 test")
    pdfcache.pdf_start(key, "<p>report</p>", "/")
    run_jobs()
    assert calls == ["<p>report</p>"]


def test_a_failed_layout_is_reported_and_tried_again_on_request(monkeypatch: Any) -> None:
    def boom(html: str, base: str) -> bytes:
        raise RuntimeError("WeasyPrint could not lay out the tables")

    monkeypatch.setattr("caseassess.reporting.exports.to_pdf", boom)
    key = "f" * 32
    pdfcache.pdf_start(key, "<p>report</p>", "/")
    run_jobs()
    assert pdfcache.pdf_status(key) == ("failed", None)
    assert Job.objects.get(key=f"pdf:{key}").output is None
    monkeypatch.setattr("caseassess.reporting.exports.to_pdf", lambda html, base: b"%PDF-1.7 second try")
    pdfcache.pdf_start(key, "<p>report</p>", "/")
    assert pdfcache.pdf_status(key) == ("running", None)
    run_jobs()
    assert pdfcache.pdf_status(key) == ("ready", b"%PDF-1.7 second try")
