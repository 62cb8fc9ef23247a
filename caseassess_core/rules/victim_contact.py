"""Statutory victim contact (case details Q11; informs F.5.5.1).

Victims must be offered contact where there is a custodial sentence of 12 months or more
(table ``statutory_thresholds`` row ``victim_contact_custody_months``) for
- an offence in Schedule 15 Part 1 or 2 to the Criminal Justice Act 2003 (table ``schedule_15``),
- an offence with the notification requirements of Part 2 of the Sexual Offences Act 2003, or
- an offence against a child (Part 2 of the Criminal Justice and Court Services Act 2000).

The guide's first category is "a sexual or violent offence within the meaning of the Powers of
Criminal Courts (Sentencing) Act 2000" with its own examples (Section 47 assault, assault on
police, causing death by careless driving ...), not Schedule 15: an offence in Schedule 15 is a
sufficient signal, not a necessary one. So an offence outside Schedule 15 (with no other
category met) gives "Unknown – the assessor decides" (outcome ``assessor_decides``), never "No".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from caseassess_core.rules.base import (
    LICENCES,
    Case,
    RuleResult,
    Tables,
    has_table,
    label,
    number,
    rows,
    text,
    threshold,
)

RULE_ID = "victim_contact"
TITLE = "Statutory victim contact"
# `case.statutory_victim_case` is the case-detail field of Q11 (View 0), named as in applicability expressions.
INFORMS = ("case.statutory_victim_case", "F.5.5.1")
SCHEDULE_15 = "schedule_15"
CUSTODIAL = LICENCES | {"suspended_sentence_order"}
_ROW_ID = re.compile(r"^p([12])-")


@dataclass(frozen=True)
class Schedule15Offence:
    """The Schedule 15 offence recorded for the case, as far as it is known."""

    row_id: str
    part: str | None  # "1" (violent) or "2" (sexual); None when the id is unknown
    description: str


def _part(value: Any) -> str | None:
    s = str(value).strip().lower().removeprefix("part").strip()
    return {"1": "1", "i": "1", "2": "2", "ii": "2"}.get(s)


def describe_offence(r: dict[str, Any]) -> str:
    """`Threats to kill (s.16 Offences against the Person Act 1861)` from a schedule_15 row."""
    offence = str(r.get("offence") or "").strip()
    section, act = r.get("section"), r.get("act")
    if act and "that Act" in offence:
        offence = offence.replace("that Act", f"the {act}" if not str(act).startswith("the ") else str(act))
    if act and section not in (None, "") and f"section {section} of" in offence and str(act) in offence:
        return offence
    cite = " ".join(p for p in (f"s.{section}" if section not in (None, "") else "", str(act or "").strip()) if p)
    if cite and cite not in offence:
        return f"{offence} ({cite})" if offence else cite
    return offence or str(r.get("id"))


def schedule15_offence(case: Case, tables: Tables) -> Schedule15Offence | None:
    """The recorded Schedule 15 offence; None when not recorded or recorded as `none`."""
    row_id = text(case, "schedule15_offence")
    if row_id is None or row_id == "none":
        return None
    if has_table(tables, SCHEDULE_15):
        for r in rows(tables, SCHEDULE_15):
            if r.get("id") == row_id:
                return Schedule15Offence(row_id, _part(r.get("part")), describe_offence(r))
    m = _ROW_ID.match(row_id)
    part = m.group(1) if m else None
    return Schedule15Offence(row_id, part, f"Schedule 15 row {row_id} (not found in table {SCHEDULE_15})")


def custody_condition(case: Case, months_needed: float) -> tuple[bool | None, str]:
    """Whether the custodial sentence is of ``months_needed`` months or more, with the fact used."""
    sentence = text(case, "sentence_type")
    if sentence is None:
        return None, "sentence_type"
    if sentence == "community_order":
        return False, "Community order: no custodial sentence"
    months = number(case, "custodial_length_months")
    if sentence == "licence_indeterminate" and months is None:
        return True, "Indeterminate sentence: custody of 12 months or more"
    if months is None:
        return None, "custodial_length_months"
    verdict = months >= months_needed
    sign = "≥" if verdict else "<"
    return verdict, f"{label(sentence).capitalize()} with custody of {months:g} months {sign} {months_needed:g}"


def statutory_victim_contact(case: Case, tables: Tables) -> RuleResult:
    months_needed = threshold(tables, "victim_contact_custody_months")
    reasons: list[str] = []
    missing: list[str] = []

    offence_hits: list[str] = []
    offence_unknown = False
    sch = schedule15_offence(case, tables)
    if sch is not None:
        if sch.part in ("1", "2"):
            kind = "violent" if sch.part == "1" else "sexual"
            offence_hits.append(f"{sch.description}: Schedule 15 Part {sch.part} ({kind}) offence")
        else:
            reasons.append(f"{sch.description}: not a Part 1 or 2 offence")
    elif text(case, "schedule15_offence") is None:
        offence_unknown = True
        missing.append("schedule15_offence")
    if text(case, "sex_offender_notification") == "yes":
        offence_hits.append("Subject to the notification requirements of Part 2 of the Sexual Offences Act 2003")
    elif text(case, "sex_offender_notification") is None:
        offence_unknown = True
        missing.append("sex_offender_notification")
    if text(case, "offence_against_child") == "yes":
        offence_hits.append("Offence against a child (Part 2 Criminal Justice and Court Services Act 2000)")
    elif text(case, "offence_against_child") is None:
        offence_unknown = True
        missing.append("offence_against_child")

    custody, fact = custody_condition(case, months_needed)
    if custody is None:
        missing.append(fact)
    else:
        reasons.append(fact)
    reasons.extend(offence_hits)

    if custody is False:
        outcome = "no"
        suggestion = (
            "Statutory victim contact is not indicated (no custodial sentence of the required length); "
            "Q11 would be 'No'."
        )
    elif not offence_hits and not offence_unknown:
        outcome = "assessor_decides"  # shown beside Q11 (an "unknown" result with nothing to record is not)
        reasons.append(
            "Not in Schedule 15, no notification requirements, not an offence against a child: the test is "
            "'a sexual or violent offence within the meaning of the PCC(S)A 2000', which Schedule 15 does not settle"
        )
        suggestion = (
            "Unknown – the assessor decides: the offence is not in Schedule 15, but the guide's test is a sexual "
            "or violent offence within the meaning of the Powers of Criminal Courts (Sentencing) Act 2000 ('an "
            "offence which leads, or is intended or likely to lead, to a person's death or to physical injury to "
            "a person', for example Section 47 assault or assault on police)."
        )
    elif custody is True and offence_hits:
        outcome = "yes"
        suggestion = "Statutory victim contact had to be offered; Q11 would be 'Yes' and F.5.5.1 applies."
    else:
        outcome = "unknown"
        suggestion = "Record the missing case details to decide whether victim contact had to be offered."
    recorded_q11 = text(case, "statutory_victim_case")
    if recorded_q11 in ("yes", "no") and outcome in ("yes", "no") and recorded_q11 != outcome:
        suggestion += f" Q11 is recorded as '{recorded_q11}': check it."
    return RuleResult(RULE_ID, TITLE, INFORMS, outcome, suggestion, tuple(reasons), tuple(missing))
