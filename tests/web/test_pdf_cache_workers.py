"""PDF exports under several worker processes: one lays a PDF out, the others wait for it."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from caseassess.reporting import pdfcache


def _worker(key: str) -> threading.Thread | None:
    """The thread this process started to lay out the PDF ``key``, if it started one."""
    return next((t for t in threading.enumerate() if t.name == f"pdf-{key[:8]}"), None)


def _wait(key: str) -> str:
    """Wait for this process's layout of ``key`` to end (no polling), then its state."""
    worker = _worker(key)
    if worker is not None:
        worker.join(timeout=60)
        assert not worker.is_alive(), "the PDF worker did not finish within 60 s"
    return pdfcache.pdf_status(key)[0]


def test_a_pdf_another_worker_is_laying_out_is_not_laid_out_twice(settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    settings.VAR_DIR = tmp_path
    calls: list[str] = []
    monkeypatch.setattr(pdfcache.exports, "to_pdf", lambda html, base: calls.append(html) or b"%PDF-1.7 test")
    key = "k" * 32
    marker = tmp_path / "exports" / f"{key}.running"
    marker.parent.mkdir(parents=True)
    marker.write_text("")  # another process holds it
    assert pdfcache.pdf_status(key) == ("running", None)
    pdfcache.pdf_start(key, "<p>report</p>", "/")
    assert _worker(key) is None  # no layout started here: the other worker holds the marker
    assert calls == [] and pdfcache.pdf_status(key) == ("running", None)

    old = time.time() - pdfcache.STALE_SECONDS - 5
    os.utime(marker, (old, old))  # that worker died mid-job
    assert pdfcache.pdf_status(key) == ("missing", None)
    pdfcache.pdf_start(key, "<p>report</p>", "/")
    assert _wait(key) == "ready"
    assert calls == ["<p>report</p>"]
    assert pdfcache.pdf_status(key) == ("ready", b"%PDF-1.7 test")
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == [f"{key}.pdf"]  # no marker, no .part left


def test_a_failed_layout_leaves_no_partial_file_and_frees_the_marker(settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    settings.VAR_DIR = tmp_path

    def boom(html: str, base: str) -> bytes:
        raise RuntimeError("WeasyPrint could not lay out the tables")

    monkeypatch.setattr(pdfcache.exports, "to_pdf", boom)
    key = "f" * 32
    pdfcache.pdf_start(key, "<p>report</p>", "/")
    assert _wait(key) == "failed"
    assert list((tmp_path / "exports").iterdir()) == []
