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


@pytest.mark.slow  # loads the shipped instrument (3 s): left out of the mutation run, where it ran for every mutant
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


def _outcomes(details: dict[str, Any], tables: Any, **kw: Any) -> dict[str, Any]:
    return {r.rule_id: r for r in evaluate_all(details, tables, **kw)}


def test_evaluate_all_hands_every_event_to_its_rule(tables: Any) -> None:
    # MAPPA category: a Schedule 15 offence with 6 months' custody needs the hospital order
    short = {"sentence_type": "licence_determinate", "custodial_length_months": 6, "schedule15_offence": "p1-06",
             "sex_offender_notification": "no", "disqualified_from_working_with_children": "no",
             "rosh_at_start": "low"}
    assert _outcomes(short, tables)["mappa_category"].outcome == "unknown"
    assert _outcomes(short, tables, events=CaseEvents(hospital_order=True))["mappa_category"].outcome == "category_2"
    # MAPPA referral in the community: criteria met Friday 20 December 2013, 10 working days -> 8 January 2014
    level_2 = {"mappa_level": "level_2"}
    referral = _outcomes(level_2, tables, events=CaseEvents(
        mappa_in_custody=False, mappa_criteria_met_date=date(2013, 12, 20), mappa_referral_date=date(2014, 1, 9),
    ))["mappa_referral"]
    assert (referral.outcome, referral.due_date) == ("not_met", date(2014, 1, 8))
    assert referral.reasons[-1] == "Referred 9 January 2014 > due 8 January 2014"
    # weekly contact: contacts on 6 and 13 January; the period runs to 25 January (12 days without contact)
    weekly = {"rosh_at_start": "very_high", "supervision_start_date": "2014-01-06"}
    dates = (date(2014, 1, 6), date(2014, 1, 13))
    contact = _outcomes(weekly, tables, events=CaseEvents(contact_dates=dates, contact_period_end=date(2014, 1, 25)))
    assert contact["timescale_weekly_contact"].outcome == "not_met"
    assert "No contact for 12 days between 13 January 2014 and 25 January 2014" in contact[
        "timescale_weekly_contact"].reasons
    assert _outcomes(weekly, tables, events=CaseEvents(contact_dates=dates))["timescale_weekly_contact"].outcome == "met"
    # early revocation: all five criteria given -> met
    five = CaseEvents(sustained_compliance=True, requirements_completed=True, needs_met=True, low_risk_of_harm=True,
                      likelihood_stabilised=True)
    revocation = _outcomes({"sentence_type": "community_order"}, tables, events=five)["early_revocation"]
    assert (revocation.outcome, revocation.missing) == ("criteria_met", ())


def test_the_oasys_layer_follows_the_recorded_tier_and_otherwise_a_definite_indicative_tier(tables: Any) -> None:
    base = {"sentence_type": "community_order", "requirements": ["supervision"], "rosh_at_start": "high",
            "ogp_score": 10, "interventions": [], "ppo": "no", "iom": "no", "mappa_level": "none"}
    # high RoSH: indicative Tier 4 -> full; a recorded Tier 1 wins -> basic
    assert _outcomes(base, tables)["tiering"].outcome == "tier_4"
    layer = _outcomes(base, tables)["oasys_layer"]
    assert (layer.outcome, layer.reasons[-1].endswith("(Tier 4 as given)")) == ("full", True)
    recorded = _outcomes(dict(base, tier="tier_1"), tables)["oasys_layer"]
    assert (recorded.outcome, recorded.reasons[-1].endswith("as given)")) == ("basic", False)
    # an indicative "Tier 1 or Tier 2" is no tier: the layer waits for the recorded tier
    liap = dict(base, rosh_at_start="low", interventions=["did_liap"])
    assert _outcomes(liap, tables)["tiering"].outcome == "tier_1_or_tier_2"
    layer = _outcomes(liap, tables)["oasys_layer"]
    assert (layer.outcome, layer.missing) == ("unknown", ("tier",))
    # a local determination makes it Tier 1 -> basic
    decided = _outcomes(liap, tables, local_overrides={"did_liap": "tier_1"})
    assert (decided["tiering"].outcome, decided["oasys_layer"].outcome) == ("tier_1", "basic")


def test_explicit_week_counts_of_zero_win_over_the_case_details(tables: Any) -> None:
    from caseassess_core.rules import case_events

    details = {"contact_weeks_checked": 12, "contact_weeks_with_contact": 12}
    events = case_events(details, CaseEvents(contact_weeks_checked=0, contact_weeks_with_contact=0))
    assert (events.contact_weeks_checked, events.contact_weeks_with_contact) == (0, 0)
    assert (case_events(details).contact_weeks_checked, case_events({"contact_weeks_checked": 11.5}).contact_weeks_checked) == (12, None)


def test_each_rule_has_its_title_and_the_questions_it_informs(tables: Any) -> None:
    assert [(r.rule_id, r.title, r.informs) for r in evaluate_all(CASE, tables)] == [
        ("victim_contact", "Statutory victim contact", ("case.statutory_victim_case", "F.5.5.1")),
        ("oasys_layer", "Expected OASys layer", ("B.3.1.1",)),
        ("visor", "ViSOR record", ("B.4.1.14", "D.4.2.10")),
        ("mappa_category", "MAPPA category", ("B.4.1.16",)),
        ("mappa_level", "MAPPA level of management", ("B.4.1.18",)),
        ("mappa_referral", "MAPPA referral timescale", ("B.4.1.20",)),
        ("tiering", "Indicative tier (post-sentence Tiering Decision Grid)", ("case.tier", "C.2.1.1", "C.2.1.2")),
        ("timescale_first_appointment", "First appointment timescale", ("C.2.1.3", "D.2.2.8")),
        ("timescale_sentence_plan", "Sentence plan timescale", ("C.2.1.8",)),
        ("skills_check", "First Move skills check", ("C.2.1.11",)),
        ("timescale_weekly_contact", "Weekly contact (high / very high RoSH)", ("D.2.2.8",)),
        ("early_revocation", "Early revocation for good progress", ("E.2.3.7",)),
    ]


def test_a_case_with_nothing_recorded_asks_for_what_each_rule_needs(tables: Any) -> None:
    assert [(r.rule_id, r.outcome, r.suggestion, r.reasons, r.missing, r.due_date) for r in evaluate_all({}, tables)] == [
        ("victim_contact", "unknown",
         "Record the missing case details to decide whether victim contact had to be offered.", (),
         ("schedule15_offence", "sex_offender_notification", "offence_against_child", "sentence_type"), None),
        ("oasys_layer", "unknown", "Record the tier to know the expected OASys layer.", (),
         ("tier", "ppo", "iom", "requirements"), None),
        ("visor", "unknown", "Record the MAPPA category and level.", (), ("mappa_category", "mappa_level"), None),
        ("mappa_category", "unknown", "Record the missing details to decide the MAPPA category.", (),
         ("sex_offender_notification", "schedule15_offence", "disqualified_from_working_with_children"), None),
        ("mappa_level", "unknown", "Not a recorded MAPPA case.", (), ("mappa_category",), None),
        ("mappa_referral", "unknown", "Record the MAPPA level.", (), ("mappa_level",), None),
        ("tiering", "undetermined",
         "No row of the tiering grid is ticked from the recorded case details; record the missing details.", (),
         ("sentence_type", "ppo", "mappa_level"), None),
        ("timescale_first_appointment", "unknown", "Record the sentence type.", (), ("sentence_type",), None),
        ("timescale_sentence_plan", "unknown", "Record the RoSH level.", (), ("rosh_at_start",), None),
        ("skills_check", "unknown",
         "No First Move score recorded: was the screening done where literacy difficulties exist?", (),
         ("first_move_score",), None),
        ("timescale_weekly_contact", "unknown", "Record the RoSH level.", (), ("rosh_at_start",), None),
        ("early_revocation", "unknown", "Record the sentence type.", (), ("sentence_type",), None),
    ]


def test_without_a_schedule_15_table_the_victim_contact_result_says_so_and_keeps_everything_else() -> None:
    from caseassess_core.rules import RuleResult, load_tables

    results = evaluate_all(CASE, load_tables([INSTRUMENT_DIR / "tables" / "tiering.yaml"]))  # no schedule_15 table
    assert results[0] == RuleResult(
        "victim_contact", "Statutory victim contact", ("case.statutory_victim_case", "F.5.5.1"), "yes",
        "Statutory victim contact had to be offered; Q11 would be 'Yes' and F.5.5.1 applies.",
        ("Licence determinate with custody of 30 months \u2265 12",
         "Schedule 15 row p1-06 (not found in table schedule_15): Schedule 15 Part 1 (violent) offence",
         "Table schedule_15 not available: offence part taken from the row id"),
        (), None,
    )
    assert (results[1].rule_id, results[1].outcome) == ("oasys_layer", "full")
    assert not any("schedule_15 not available" in r for res in results[1:] for r in res.reasons)
