"""PDF exports take seconds to lay out (WeasyPrint), so the web page prepares them in
the background and shows a progress page that refreshes itself (no JavaScript needed).

A PDF is keyed by the SHA-256 of the report's numbers and title: the same findings are
laid out once, and a report whose numbers changed gets a new file."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from django.conf import settings

from caseassess.reporting import exports
from caseassess_core.findings.report import Report, report_to_dict

_running: set[str] = set()
_failed: dict[str, str] = {}
_lock = threading.Lock()


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
    return "missing", None


def pdf_start(key: str, html: str, base_url: str) -> None:
    with _lock:
        if key in _running:
            return
        _running.add(key)
        _failed.pop(key, None)

    def work() -> None:
        try:
            data = exports.to_pdf(html, base_url)
            tmp = _dir() / f"{key}.pdf.part"
            tmp.write_bytes(data)
            tmp.replace(_dir() / f"{key}.pdf")  # atomic: never a half-written PDF
        except Exception as exc:  # noqa: BLE001 - reported on the progress page
            with _lock:
                _failed[key] = str(exc)
        finally:
            with _lock:
                _running.discard(key)

    threading.Thread(target=work, name=f"pdf-{key[:8]}", daemon=True).start()
