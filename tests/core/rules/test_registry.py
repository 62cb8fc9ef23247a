from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from caseassess_core.rules import CaseEvents, evaluate_all, explain

CASE = {
    "sentence_type": "licence_determinate", "custodial_length_months": 30, "release_date": "2014-04-17",
    "requirements": ["licence_additional_conditions"], "schedule15_offence": "p1-06",
    "sex_offender_notification": "no", "offence_against_child": "no",
    "disqualified_from_working_with_children": "no", "rosh_at_start": "high", "ogrs_score": 60,
    "interventions": ["accredited_programme"], "ppo": "no", "iom": "no", "mappa_category": "category_2",
    "mappa_level": "level_2", "first_move_score": 45,
}


def test_every_rule_gives_one_result(tables: Any) -> None:
    results = evaluate_all(CASE, tables, events=CaseEvents(first_appointment_date=date(2014, 4, 17)))
    by_id = {r.rule_id: r for r in results}
    assert len(by_id) == len(results) == 12
    assert by_id["tiering"].outcome == "tier_4"
    assert by_id["victim_contact"].outcome == "yes"
    assert by_id["oasys_layer"].outcome == "full"
    assert by_id["mappa_category"].outcome == "category_2"
    assert by_id["visor"].outcome == "expected"
    assert by_id["skills_check"].outcome == "band_40_59"
    assert by_id["timescale_first_appointment"].outcome == "met"
    assert by_id["early_revocation"].outcome == "not_applicable"


def test_explain_prints_one_block_per_rule_with_its_reasons(tables: Any) -> None:
    out = explain(CASE, tables)
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 12
    assert "Indicative tier" in out and "RoSH at start is high" in out
    assert "Wounding with intent to cause grievous bodily harm (s.18 Offences against the Person Act 1861)" in out


def test_it_accepts_an_instrument_as_the_tables(tables: Any) -> None:
    from caseassess_core.instrument.schema import Instrument

    instrument = Instrument(id="iaow-2013-10", title="IAOW", version="1", tables=list(tables.values()))
    assert [r.outcome for r in evaluate_all(CASE, instrument)] == [r.outcome for r in evaluate_all(CASE, tables)]


INSTRUMENT_DIR = Path(__file__).resolve().parents[3] / "instruments" / "iaow-2013-10"


@pytest.mark.skipif(not (INSTRUMENT_DIR / "tables" / "schedule15.yaml").exists(), reason="schedule15.yaml not written")
def test_it_runs_on_the_loaded_instrument_and_names_the_offence_by_section_and_act() -> None:
    from caseassess_core.instrument.loader import load_instrument

    instrument = load_instrument(INSTRUMENT_DIR / "instrument.yaml").instrument
    out = explain(dict(CASE, schedule15_offence="p1-05"), instrument)
    assert "An offence under section 16 of the Offences against the Person Act 1861 (threats to kill)" in out
    by_id = {r.rule_id: r for r in evaluate_all(CASE, instrument)}
    assert by_id["victim_contact"].outcome == "yes"
    assert by_id["tiering"].outcome == "tier_4"


def test_format_result_prints_the_title_outcome_due_date_suggestion_reasons_and_missing_fields() -> None:
    from caseassess_core.rules import RuleResult, format_result

    result = RuleResult(
        "timescale_sentence_plan", "Sentence plan timescale", ("C.2.1.8", "C.2.1.9"), "unknown",
        "Due by 24 April 2014; record the date to check it.", ("RoSH at start is high", "Counted from the sentence"),
        ("sentence_plan_date", "sentence_date"), date(2014, 4, 24),
    )
    assert format_result(result) == (
        "Sentence plan timescale [timescale_sentence_plan] informs C.2.1.8, C.2.1.9\n"
        "  outcome: unknown\n"
        "  due: 2014-04-24\n"
        "  suggestion: Due by 24 April 2014; record the date to check it.\n"
        "  - RoSH at start is high\n"
        "  - Counted from the sentence\n"
        "  missing: sentence_plan_date, sentence_date"
    )
    bare = RuleResult("mappa_level", "MAPPA level", ("B.4.1.19",), "level_1", "Level 1.")
    assert format_result(bare) == "MAPPA level [mappa_level] informs B.4.1.19\n  outcome: level_1\n  suggestion: Level 1."


def test_explain_separates_the_blocks_by_one_blank_line_and_ends_with_one_newline(tables: Any) -> None:
    import re

    out = explain(CASE, tables)
    assert out.endswith("\n") and not out.endswith("\n\n")
    blocks = out[:-1].split("\n\n")
    assert len(blocks) == 12
    for block in blocks:
        first, second, *rest = block.split("\n")
        assert re.fullmatch(r"[A-Z][^\[\]]* \[[a-z0-9_]+\] informs [a-zA-Z0-9_.]+(, [a-zA-Z0-9_.]+)*", first), first
        assert re.fullmatch(r"  outcome: [a-z0-9_]+", second), second
        assert all(re.fullmatch(r"  (due: \d{4}-\d\d-\d\d|suggestion: .+|- .+|missing: [a-z0-9_, ]+)", line)
                   for line in rest), rest


def test_explain_passes_the_local_overrides_and_the_events_on_to_the_rules(tables: Any) -> None:
    details = {
        "sentence_type": "community_order", "requirements": ["supervision"], "rosh_at_start": "low", "ogp_score": 10,
        "interventions": ["did_liap"], "ppo": "no", "mappa_level": "none",
    }
    assert "[tiering] informs" in explain(details, tables)
    tier_block = next(b for b in explain(details, tables).split("\n\n") if "[tiering]" in b)
    assert "  outcome: tier_1_or_tier_2" in tier_block
    overridden = next(b for b in explain(details, tables, local_overrides={"did_liap": "tier_1"}).split("\n\n")
                      if "[tiering]" in b)
    assert "  outcome: tier_1" in overridden.split("\n")
    # an explicit first appointment date: the licence timescale is checked rather than left unknown
    events = CaseEvents(first_appointment_date=date(2014, 4, 23))
    block = next(b for b in explain(CASE, tables, events=events).split("\n\n") if "[timescale_first_appointment]" in b)
    assert "  outcome: not_met" in block.split("\n")
    assert "  - First appointment date 23 April 2014 > due 22 April 2014" in block.split("\n")
