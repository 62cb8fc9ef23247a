"""Shared fixtures: the instrument's decision-aid tables plus a small Schedule 15 table."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseassess_core.instrument.schema import Table
from caseassess_core.rules import load_tables

ROOT = Path(__file__).resolve().parents[3]
TABLES_DIR = ROOT / "instruments" / "iaow-2013-10" / "tables"

SCHEDULE_15 = Table(
    id="schedule_15",
    title="Offences specified in Schedule 15 to the Criminal Justice Act 2003 (test fixture)",
    source="IAOW Case Assessment Guide, October 2013, Appendix 1",
    columns=["id", "part", "number", "offence", "act", "section"],
    rows=[
        {"id": "p1-01", "part": 1, "number": 1, "offence": "Manslaughter", "act": None, "section": None},
        {"id": "p1-05", "part": 1, "number": 5, "offence": "Threats to kill",
         "act": "Offences against the Person Act 1861", "section": "16"},
        {"id": "p1-06", "part": 1, "number": 6, "offence": "Wounding with intent to cause grievous bodily harm",
         "act": "Offences against the Person Act 1861", "section": "18"},
        {"id": "p2-01", "part": 2, "number": 1, "offence": "Rape", "act": "Sexual Offences Act 1956",
         "section": "1"},
    ],
)


@pytest.fixture(scope="session")
def tables() -> dict[str, Table]:
    loaded = load_tables([TABLES_DIR / "tiering.yaml"])
    loaded["schedule_15"] = SCHEDULE_15
    return loaded
