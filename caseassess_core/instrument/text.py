"""Instrument wording as people read it in the assessment form and the published report.

An instrument file may carry editorial notes for its reviewers inside the wording, such as
"[Not described in the guide: wording reconstructed]" (C.2.1.13). They belong in the
instrument browser and the CHANGELOG only; ``people_text`` removes them everywhere else.
"""

from __future__ import annotations

import re

EDITORIAL_NOTE = re.compile(r"\s*\[(?:Not described in the guide|Editorial|Reconstructed)[^\]]*\]", re.IGNORECASE)


def people_text(value: object) -> str:
    """The wording without its editorial notes ("" for None)."""
    if value is None:
        return ""
    return EDITORIAL_NOTE.sub("", str(value))
