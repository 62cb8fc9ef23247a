"""PDF exports take seconds to lay out (WeasyPrint), so the web page prepares them in
the background and shows a progress page that refreshes itself (no JavaScript needed).

A PDF is keyed by the SHA-256 of the report's numbers and title: the same findings are
laid out once, and a report whose numbers changed gets a new file.

Production runs several worker processes (gunicorn): a marker file ``KEY.running``,
created exclusively, tells the others that a PDF is being laid out, and each process
writes its own temporary file before the atomic rename."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

from django.conf import settings

from caseassess.reporting import exports
from caseassess_core.findings.report import Report, report_to_dict

_running: set[str] = set()
_failed: dict[str, str] = {}
_lock = threading.Lock()
STALE_SECONDS = 600  # a marker older than this belongs to a worker that died mid-job


def _dir() -> Path:
    d = Path(settings.VAR_DIR) / "exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def report_key(report: Report) -> str:
    return hashlib.sha256(json.dumps(report_to_dict(report), sort_keys=True, default=str).encode()).hexdigest()[:32]


def pdf_status(key: str) -> tuple[str, bytes | None]:
    """('ready', bytes) | ('running', None) | ('failed', None) | ('missing', None)."""
    path = _dir() / f"{key}.pdf"
    if path.exists():
        return "ready", path.read_bytes()
    with _lock:
        if key in _running:
            return "running", None
        if key in _failed:
            return "failed", None
    if _marker_fresh(_dir() / f"{key}.running"):
        return "running", None  # another worker process is laying it out
    return "missing", None


def _marker_fresh(marker: Path) -> bool:
    try:
        return time.time() - marker.stat().st_mtime < STALE_SECONDS
    except FileNotFoundError:
        return False


def _claim(marker: Path) -> bool:
    """Create the marker exclusively; False when another process holds a fresh one."""
    for _ in range(2):
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return True
        except FileExistsError:
            if _marker_fresh(marker):
                return False
            marker.unlink(missing_ok=True)  # stale: its worker died
    return False


def pdf_start(key: str, html: str, base_url: str) -> None:
    marker = _dir() / f"{key}.running"
    with _lock:
        if key in _running:
            return
        if not _claim(marker):
            return
        _running.add(key)
        _failed.pop(key, None)

    def work() -> None:
        tmp = _dir() / f"{key}.{os.getpid()}.{threading.get_ident()}.part"
        try:
            data = exports.to_pdf(html, base_url)
            tmp.write_bytes(data)
            tmp.replace(_dir() / f"{key}.pdf")  # atomic: never a half-written PDF
        except Exception as exc:  # noqa: BLE001 - reported on the progress page
            tmp.unlink(missing_ok=True)
            with _lock:
                _failed[key] = str(exc)
        finally:
            with _lock:
                _running.discard(key)
                marker.unlink(missing_ok=True)

    threading.Thread(target=work, name=f"pdf-{key[:8]}", daemon=True).start()
