from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from caseassess_core.instrument.schema import Table
from caseassess_core.rules.victim_contact import statutory_victim_contact


def case(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sentence_type": "licence_determinate", "custodial_length_months": 24, "schedule15_offence": "none",
        "sex_offender_notification": "no", "offence_against_child": "no",
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"schedule15_offence": "p1-05", "custodial_length_months": 12}, "yes"),
        ({"schedule15_offence": "p1-05", "custodial_length_months": 11.9}, "no"),
        ({"schedule15_offence": "p2-01", "custodial_length_months": 12.0}, "yes"),
        ({"schedule15_offence": "p1-06", "sentence_type": "suspended_sentence_order", "custodial_length_months": 12},
         "yes"),
        ({"schedule15_offence": "p1-05", "sentence_type": "community_order"}, "no"),
        ({"sex_offender_notification": "yes"}, "yes"),
        ({"offence_against_child": "yes"}, "yes"),
        ({"offence_against_child": "yes", "custodial_length_months": 6}, "no"),
        ({}, "assessor_decides"),
        ({"custodial_length_months": 6}, "no"),
        ({"schedule15_offence": "p1-01", "sentence_type": "licence_indeterminate", "custodial_length_months": None},
         "yes"),
    ],
)
def test_it_needs_twelve_months_custody_and_a_relevant_offence(
    tables: Any, details: dict[str, Any], expected: str
) -> None:
    assert statutory_victim_contact(case(**details), tables).outcome == expected


def test_it_names_the_offence_by_section_and_act(tables: Any) -> None:
    result = statutory_victim_contact(case(schedule15_offence="p1-05"), tables)
    assert result.outcome == "yes"
    assert any(
        "Threats to kill (s.16 Offences against the Person Act 1861)" in r and "Part 1" in r for r in result.reasons
    )
    assert any("24 months ≥ 12" in r for r in result.reasons)
    assert result.informs == ("case.statutory_victim_case", "F.5.5.1")


def test_it_reports_unknown_with_the_missing_details(tables: Any) -> None:
    result = statutory_victim_contact({"sentence_type": "licence_determinate", "schedule15_offence": "p1-05"}, tables)
    assert result.outcome == "unknown"
    assert "custodial_length_months" in result.missing


def test_it_flags_a_recorded_q11_that_disagrees(tables: Any) -> None:
    result = statutory_victim_contact(case(sex_offender_notification="yes", statutory_victim_case="no"), tables)
    assert "check it" in result.suggestion


def test_it_falls_back_on_the_row_id_when_the_table_lacks_the_row(tables: Any) -> None:
    result = statutory_victim_contact(case(schedule15_offence="p2-77"), tables)
    assert result.outcome == "yes"
    assert any("not found" in r for r in result.reasons)


def test_it_takes_the_twelve_months_from_the_thresholds_table(tables: Any) -> None:
    old = tables["statutory_thresholds"]
    rows = [dict(r, value=18) if r["id"] == "victim_contact_custody_months" else r for r in old.rows]
    changed = dict(tables, statutory_thresholds=Table(id=old.id, title=old.title, columns=old.columns, rows=rows))
    assert statutory_victim_contact(case(schedule15_offence="p1-05", custodial_length_months=12), changed).outcome == "no"


SCHEDULE15_FILE = Path(__file__).resolve().parents[3] / "instruments" / "iaow-2013-10" / "tables" / "schedule15.yaml"


@pytest.mark.skipif(not SCHEDULE15_FILE.exists(), reason="schedule15.yaml not written yet")
def test_it_reads_the_instruments_schedule_15_table(tables: Any) -> None:
    data = yaml.safe_load(SCHEDULE15_FILE.read_text(encoding="utf-8"))
    real = {t["id"]: Table(**t) for t in data["tables"]}
    assert "schedule_15" in real
    part1 = next(r for r in real["schedule_15"].rows if str(r["id"]).startswith("p1-"))
    both = dict(tables, schedule_15=real["schedule_15"])
    assert statutory_victim_contact(case(schedule15_offence=part1["id"]), both).outcome == "yes"


def test_an_offence_outside_schedule_15_is_for_the_assessor_to_decide_never_no(tables: Any) -> None:
    # Guide, case details Q11 and F.5.5.1: "a sexual or violent offence within the meaning of the Powers
    # of Criminal Courts (Sentencing) Act 2000, for example, murder, wounding, Section 47 assault, assault
    # on police, causing death by dangerous or careless driving" - the Act's test, not Schedule 15.
    result = statutory_victim_contact(case(schedule15_offence="none", custodial_length_months=18), tables)
    assert result.outcome == "assessor_decides"
    assert result.suggestion.startswith("Unknown – the assessor decides")
    assert "Powers of Criminal Courts (Sentencing) Act 2000" in result.suggestion
    assert "'No'" not in result.suggestion
