"""Download names: a slug of the report's name, the date and a fixed extension.

The name a person gives an inspection or programme never chooses the file type or breaks the
header: anything but letters, digits, hyphens and en dashes becomes one hyphen (so "evil.html",
CR/LF and quotes cannot reach the header), and the extension is fixed by the export format.
The header carries an ASCII ``filename`` and an RFC 6266 / RFC 5987 ``filename*=UTF-8''...``
so "2013–2017" keeps its en dash where browsers support it (all current ones do).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import quote

EXTENSIONS = {"csv": "csv", "json": "json", "xlsx": "xlsx", "pdf": "pdf"}
_NOT_SLUG = re.compile(r"[^\w\u2013-]+")
_DASHES = re.compile(r"-{2,}")


def slug(text: str, *, limit: int = 80) -> str:
    """``Programme 2013–2017 (North)`` -> ``programme-2013–2017-north``; never empty."""
    text = unicodedata.normalize("NFKC", text).lower().replace("_", "-")
    out = _DASHES.sub("-", _NOT_SLUG.sub("-", text)).strip("-–")
    return out[:limit].strip("-–") or "report"


def download_name(kind: str, scope: str, fmt: str, day: dt.date) -> str:
    if fmt not in EXTENSIONS:
        raise ValueError(f"unknown export format {fmt!r}")
    return f"{slug(kind)}-{slug(scope)}-{day.isoformat()}.{EXTENSIONS[fmt]}"


def _ascii(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.replace("\u2013", "-"))
    return decomposed.encode("ascii", "ignore").decode("ascii") or "download"


def content_disposition(name: str) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (the name is already a slug)."""
    return f"attachment; filename=\"{_ascii(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
