"""The shipped IAOW October 2013 instrument against the guide it was written from.

Plain pytest, no Django: loads instruments/iaow-2013-10 and checks it against the seed text
of the Case Assessment Guide (question ids and criteria, wording, Schedule 15 counts).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from caseassess_core.applicability.expression import parse
from caseassess_core.instrument.loader import load_instrument

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = ROOT / "instruments" / "iaow-2013-10"
# The seeds sit in shared/ beside the checkout (CI clones main with shared/ beside it).
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_075351b6cdde1d9e.txt"

# Tool numbers the guide prints with a letter suffix; the instrument uses them exactly as printed.
LETTERED = {"A.1.1.9.A", "A.1.1.9.B", "C.2.1.17.a", "C.2.1.17.b", "D.2.2.6.A", "D.4.2.7.A", "E.4.3.3.U"}
# Plain numbers earlier drafts used for them; the guide prints none of these.
FORMER_IDS = {"A.1.1.9", "A.1.1.10", "C.2.1.17", "C.2.1.21", "D.2.2.6", "D.4.2.7", "E.4.3.8"}
RECONSTRUCTED = {"C.2.1.13", "E.3.3.5"}  # the guide names both but never prints them (CHANGELOG)

ID_LINE = re.compile(r"^\s?([A-G])[. ]?(\d\.\d+\.\d+(?:\.[A-Za-z])?)\s*(?:(\d\.\d\.[a-z](?:\.\d)?)\b|$)")
CRITERION_START = re.compile(r"^\s?(\d\.\d\.[a-z](?:\.\d)?)\b")

needs_seed = pytest.mark.skipif(not SEED.exists(), reason="the guide's seed text is not available")


@cache
def loaded():
    return load_instrument(INSTRUMENT)


@cache
def seed_lines() -> tuple[str, ...]:
    return tuple(SEED.read_text(encoding="utf-8").split("\n"))


@cache
def seed_flat() -> str:
    return re.sub(r"\s+", " ", "\n".join(seed_lines()))


@cache
def printed_questions() -> dict[str, str]:
    """Tool number -> first criterion number, as the guide prints them (e.g. `B.4.1.6 4.1.a.2`)."""
    lines = seed_lines()
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        m = ID_LINE.match(line)
        if not m:
            continue
        qid = f"{m.group(1)}.{m.group(2)}"
        crit = m.group(3)
        if crit is None:  # criterion printed on a following line (C.2.1.1, C.2.1.9, C.2.1.17.a/b, D.2.2.4)
            for nxt in lines[i + 1 : i + 6]:
                if not nxt.strip() or ID_LINE.match(nxt):
                    continue
                c = CRITERION_START.match(nxt)
                crit = c.group(1) if c else None
                break
        if crit is not None:
            found.setdefault(qid, crit)
    return found


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_it_loads_with_zero_problems_so_every_expression_parses_and_every_reference_resolves():
    ins = loaded().instrument
    assert ins.id == "iaow-2013-10"
    assert ins.version == "2013-10"
    for q in ins.questions():
        if q.applies_when:
            parse(q.applies_when)
    for rule in ins.consistency_rules:
        parse(rule.when)
        parse(rule.expect)


@needs_seed
def test_the_guide_prints_about_a_hundred_questions_and_the_extraction_finds_them():
    printed = printed_questions()
    assert len(printed) >= 100
    assert printed["B.4.1.6"] == "4.1.a.2"
    assert printed["C.2.1.1"] == "2.1.a.1"
    assert printed["C.2.1.17.b"] == "2.1.g.4"
    assert printed["D.4.2.16"] == "4.2.f"


@needs_seed
def test_it_has_every_question_the_guide_prints_with_its_criterion_number():
    ins = loaded().instrument
    ids = {q.id: q for q in ins.questions()}
    missing, wrong = [], []
    for printed, crit in printed_questions().items():
        if printed not in ids:
            missing.append(printed)
        elif ids[printed].criterion != crit:
            wrong.append((printed, crit, ids[printed].criterion))
    assert not missing, f"questions printed in the guide but missing: {missing}"
    assert not wrong, f"criterion numbers differ from the guide: {wrong}"


@needs_seed
def test_it_has_no_question_the_guide_does_not_print_except_the_recorded_reconstructions():
    printed = set(printed_questions())
    extra = {q.id for q in loaded().instrument.questions()} - printed
    assert extra == RECONSTRUCTED
    for qid in RECONSTRUCTED:
        q = loaded().instrument.question(qid)
        assert q.note and "Not described in the guide" in q.note


@needs_seed
def test_lettered_questions_keep_the_ids_exactly_as_the_guide_prints_them():
    printed = printed_questions()
    ids = {q.id for q in loaded().instrument.questions()}
    assert set(printed) >= LETTERED, "the extraction should find every lettered tool number in the guide"
    assert ids >= LETTERED, f"lettered ids missing or altered: {sorted(LETTERED - ids)}"
    assert not (FORMER_IDS & ids), f"plain stand-ins still used: {sorted(FORMER_IDS & ids)}"
    assert not (FORMER_IDS & set(printed)), "the guide does not print the former stand-in numbers"
    for qid in LETTERED:
        note = loaded().instrument.question(qid).note or ""
        assert f"Printed in the guide as {qid}" in note, qid
        assert "four-part numeric" not in note, qid


SAMPLE = {
    "A.1.1.4": "Was the report based on sufficient information for this court appearance?",
    "A.1.1.9.B": "Did the report indicate how any particular barriers to compliance and engagement will be addressed?",
    "B.3.1.1": "At the start of sentence or release on licence or transfer into the area, was there a sufficient assessment of the likelihood of reoffending?",
    "B.4.1.6": "Was there a sufficient full initial analysis of the risk of harm?",
    "B.4.1.9": "If restrictive requirements, electronic monitoring, restraining orders or sexual offences prevention orders (SOPOs) were used in this order or licence, was this appropriate?",
    "C.2.1.8": "Was initial sentence planning (at the start of sentence or release on licence or transfer into the area) timely and informed?",
    "C.2.1.17.a": "Was the planned level and pattern of contact recorded (in the sentence plan or elsewhere) and appropriate to the case?",
    "D.2.2.8": "Was the level of contact arranged with the offender sufficient?",
    "D.3.2.6": "Did approved premises offer constructive interventions in line with offender need and sentence plan objectives?",
    "D.4.2.16": "Was there structured management involvement because the case was high/very high RoSH or there were concerns about protecting children?",
    "E.2.3.2": "Were the reporting instructions given (appointments arranged) sufficient for the purpose of carrying out the sentence of the court?",
    "E.4.3.3.U": "Was the referrals monitored and followed up to ensure an appropriate response?",
    "F.5.5.5": "Is there evidence that the offender was enabled to take part in restorative processes?",
}


@needs_seed
@pytest.mark.parametrize("printed", sorted(SAMPLE))
def test_a_sample_of_question_texts_match_the_guide_word_for_word(printed):
    q = loaded().instrument.question(printed)
    assert q.text == SAMPLE[printed]
    assert SAMPLE[printed] in seed_flat()


@needs_seed
def test_every_printed_question_text_appears_verbatim_in_the_guide():
    flat = seed_flat()
    for q in loaded().instrument.questions():
        if q.id in RECONSTRUCTED:
            continue
        assert norm(q.text) in flat, f"{q.id}: {q.text!r} is not the guide's wording"


def test_every_scored_question_has_sufficient_insufficient_and_excluded_options():
    """Every option of a scored question is sufficient, insufficient or excluded, with at least one
    sufficient and one insufficient answer; questions the guide says may not apply can also be left out
    (an excluded option such as 'Not applicable'/'Not required', or an applies_when)."""
    ins = loaded().instrument
    for q in ins.questions():
        if not q.is_scored:
            continue
        opts = ins.options_for(q)
        assert all(o.scoring is not None for o in opts), q.id
        scorings = {o.scoring.value for o in opts}
        assert scorings <= {"sufficient", "insufficient", "excluded"}, q.id
        assert {"sufficient", "insufficient"} <= scorings, q.id
    scored = [q for q in ins.questions() if q.is_scored]
    can_be_left_out = [q for q in scored if q.applies_when or any(o.scoring and o.scoring.value == "excluded" for o in ins.options_for(q))]
    assert len(can_be_left_out) > len(scored) / 2


def test_questions_that_apply_conditionally_say_why_they_do_not_apply():
    for q in loaded().instrument.questions():
        if q.applies_when:
            assert q.not_applicable_reason, q.id


def test_sections_carry_criterion_title_statement_and_subcriteria():
    for sec in loaded().instrument.sections():
        assert sec.criterion and sec.title and sec.statement, sec.id
        assert sec.subcriteria, sec.id
        assert all(sub.id.startswith(sec.criterion + ".") for sub in sec.subcriteria), sec.id
        for q in sec.questions:
            assert q.criterion and q.criterion.startswith(sec.criterion + "."), q.id


def schedule15_rows(part: int) -> list[dict]:
    return [r for r in loaded().instrument.table("schedule_15").rows if r["part"] == part]


@needs_seed
def test_schedule_15_part_1_and_part_2_row_counts_match_the_guide():
    lines = seed_lines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("PART 1"))
    middle = next(i for i, ln in enumerate(lines) if ln.startswith("PART 2"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("1. Commencement information"))
    entry = re.compile(r"^\s?\d+[A-F]? \S")
    part1 = sum(1 for ln in lines[start:middle] if entry.match(ln))
    part2 = sum(1 for ln in lines[middle:end] if entry.match(ln))
    assert len(schedule15_rows(1)) == part1 == 77  # printed 1-65 without 59, plus 59A-D, 60A-C, 63A-F
    assert len(schedule15_rows(2)) == part2 == 88  # "88 specified sexual offences" (B.4.1.16 guidance)


def test_schedule_15_rows_name_their_act_and_section_where_printed():
    rows = {r["id"]: r for r in loaded().instrument.table("schedule_15").rows}
    assert rows["p1-06"]["act"] == "Offences against the Person Act 1861"
    assert rows["p1-06"]["section"] == "18"
    assert rows["p1-01"]["offence"] == "Manslaughter" and rows["p1-01"]["act"] is None
    assert rows["p1-59a"]["number"] == "59A"
    assert rows["p2-01"]["number"] == "66" and rows["p2-01"]["act"] == "Sexual Offences Act 1956"
    assert rows["p2-37"]["act"] == "Sexual Offences Act 2003" and rows["p2-37"]["section"] == "1"


def test_the_schedule_15_case_detail_takes_its_options_from_the_table():
    field = loaded().instrument.case_field("schedule15_offence")
    assert field.table == "schedule_15"
    assert field.type.value == "single_choice"


def test_case_details_keep_the_contract_ids():
    contract = (ROOT / "docs" / "case-details-contract.md").read_text(encoding="utf-8")
    ids = [i for i in re.findall(r"^\| ([a-z][a-z0-9_]*) \|", contract, flags=re.M) if i != "id"]
    assert len(ids) > 20
    fields = {f.id: f for f in loaded().instrument.case_details}
    for fid in ids:
        assert fid in fields, f"contract field {fid} missing from view0-case-details.yaml"
    for line in contract.splitlines():
        m = re.match(r"^\| ([a-z][a-z0-9_]*) \| (single|multiple)[^|]*\| ([^|]*)\|", line)
        if not m or m.group(1) == "schedule15_offence":
            continue
        values = {v.strip().strip("`") for v in m.group(3).split(",") if v.strip()}
        got = {o.value for o in loaded().instrument.options_for(fields[m.group(1)])}
        assert got == values, m.group(1)


def test_headline_scores_and_general_criteria_are_non_empty_and_only_contain_scored_questions():
    ins = loaded().instrument
    assert {s.id for s in ins.headline_scores} == {"risk_of_harm", "likelihood_of_reoffending", "compliance_and_enforcement"}
    assert [s.id for s in ins.general_criteria] == [
        "assessment_and_sentence_planning",
        "implementation_of_interventions",
        "achieving_and_sustaining_outcomes",
    ]
    for _, score in ins.all_scores():
        members = ins.score_members(score)
        assert members, score.id
        for qid in members:
            assert ins.question(qid).is_scored, (score.id, qid)


def test_headline_membership_follows_the_criterion_theme_digit():
    ins = loaded().instrument
    digit = {"risk_of_harm": "4", "likelihood_of_reoffending": "3", "compliance_and_enforcement": "2"}
    for score in ins.headline_scores:
        for sid in score.sections:
            assert next(s for s in ins.sections() if s.id == sid).criterion.startswith(digit[score.id])


def test_consistency_rules_quote_the_guide_and_include_the_d228_to_e232_implication():
    ins = loaded().instrument
    rules = {r.id: r for r in ins.consistency_rules}
    cr = next(r for r in rules.values() if "D.2.2.8" in r.when and "E.2.3.2" in r.expect)
    assert "'yes'" in cr.when and "'yes'" in cr.expect
    assert any("D.2.2.9" in r.expect and "'no'" in r.when for r in rules.values())
    for r in rules.values():
        assert "‘" in r.message, f"{r.id} should quote the guide"
