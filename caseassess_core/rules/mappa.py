"""MAPPA: category (B.4.1.16), level (B.4.1.18), ViSOR (B.4.1.14, D.4.2.10), referral (B.4.1.20).

Category 1: registered sexual offender (notification requirements, Part 2 Sexual Offences Act 2003).
Category 2: Schedule 15 offence (Criminal Justice Act 2003) with 12 months or more in custody or
a hospital order, or a disqualification from working with children (ss.28-29A CJCSA 2000).
Category 3: other dangerous offender, by judgement: only ever suggested as 'consider'.
"""

from __future__ import annotations

from datetime import date

from caseassess_core.rules.base import (
    HIGH_ROSH,
    Case,
    RuleResult,
    Tables,
    label,
    long_date,
    row,
    rows,
    text,
    threshold,
)
from caseassess_core.rules.timescales import due_date
from caseassess_core.rules.victim_contact import custody_condition, schedule15_offence

CATEGORIES = ("category_1", "category_2", "category_3")
LEVELS = ("level_1", "level_2", "level_3")


def mappa_category(case: Case, tables: Tables, *, hospital_order: bool | None = None) -> RuleResult:
    """Which MAPPA category the case meets (B.4.1.16). ``hospital_order``: detained under s.37 MHA 1983,
    or transferred to hospital under s.47/s.49 (the case details do not record it)."""
    rule_id, title, informs = "mappa_category", "MAPPA category", ("B.4.1.16",)
    reasons: list[str] = []
    missing: list[str] = []
    notification = text(case, "sex_offender_notification")
    if notification == "yes":
        reasons.append("Subject to sex offender notification requirements → Category 1")
        return _category_result(rule_id, title, informs, "category_1", case, reasons, missing)
    if notification is None:
        missing.append("sex_offender_notification")

    months_needed = threshold(tables, "mappa_category_2_custody_months")
    sch = schedule15_offence(case, tables)
    if sch is not None and sch.part in ("1", "2"):
        custody, fact = custody_condition(case, months_needed)
        if custody is None:
            missing.append(fact)
        else:
            reasons.append(fact)
        if custody or hospital_order:
            via = "custody" if custody else "hospital order"
            reasons.append(f"{sch.description}: Schedule 15 Part {sch.part} offence with qualifying {via} → Category 2")
            return _category_result(rule_id, title, informs, "category_2", case, reasons, missing)
        reasons.append(f"{sch.description}: Schedule 15 Part {sch.part} offence")
        if hospital_order is None:
            missing.append("hospital_order")
    elif text(case, "schedule15_offence") is None:
        missing.append("schedule15_offence")
    if text(case, "disqualified_from_working_with_children") == "yes":
        reasons.append("Disqualified from working with children → Category 2")
        return _category_result(rule_id, title, informs, "category_2", case, reasons, missing)
    if text(case, "disqualified_from_working_with_children") is None:
        missing.append("disqualified_from_working_with_children")

    rosh = text(case, "rosh_at_start")
    if rosh in HIGH_ROSH:
        reasons.append(f"RoSH at start is {label(rosh)}: capable of causing serious harm")
        return _category_result(rule_id, title, informs, "consider_category_3", case, reasons, missing)
    outcome = "unknown" if missing else "none"
    return _category_result(rule_id, title, informs, outcome, case, reasons, missing)


def _category_result(
    rule_id: str, title: str, informs: tuple[str, ...], outcome: str, case: Case, reasons: list[str],
    missing: list[str],
) -> RuleResult:
    recorded = text(case, "mappa_category")
    if outcome in ("category_1", "category_2"):
        suggestion = f"The case meets the criteria for MAPPA {label(outcome)}; B.4.1.16 would be 'Yes'."
    elif outcome == "consider_category_3":
        suggestion = (
            "Not Category 1 or 2 on the recorded details. Consider Category 3 (other dangerous offender): it needs"
            " a judgement that the offence shows capacity for serious harm requiring multi-agency management."
        )
    elif outcome == "none":
        suggestion = "No MAPPA category is indicated by the recorded details (Category 3 remains a judgement)."
    else:
        suggestion = "Record the missing details to decide the MAPPA category."
    if recorded is not None and recorded != outcome and outcome in ("category_1", "category_2", "none"):
        suggestion += f" The case is recorded as {label(recorded)}: check it."
    return RuleResult(rule_id, title, informs, outcome, suggestion, tuple(reasons), tuple(missing))


def mappa_level(case: Case) -> RuleResult:
    """Level guidance (B.4.1.18): lowest level that is safe; Level 2 for high / very high RoSH."""
    rule_id, title, informs = "mappa_level", "MAPPA level of management", ("B.4.1.18",)
    category = text(case, "mappa_category")
    if category not in CATEGORIES:
        outcome = "not_applicable" if category == "none" else "unknown"
        missing = () if category == "none" else ("mappa_category",)
        return RuleResult(rule_id, title, informs, outcome, "Not a recorded MAPPA case.", (), missing)
    rosh = text(case, "rosh_at_start")
    if rosh is None or rosh == "not_completed":
        return RuleResult(rule_id, title, informs, "unknown", "Record the RoSH level.", (), ("rosh_at_start",))
    reasons = [f"MAPPA {label(category)}", f"RoSH at start is {label(rosh)}"]
    if rosh in HIGH_ROSH:
        outcome = "level_2"
        suggestion = (
            "High or very high RoSH: Level 2 multi-agency management is indicated; Level 3 where senior"
            " representation or significant resources at short notice are needed."
        )
    else:
        outcome = "level_1"
        suggestion = (
            "Level 1 (ordinary agency management) unless multi-agency management adds value or active"
            " coordination of other agencies is needed (Level 2), or media or public interest calls for Level 3."
        )
    recorded = text(case, "mappa_level")
    if recorded in LEVELS:
        reasons.append(f"Recorded at {label(recorded)}")
        if LEVELS.index(recorded) < LEVELS.index(outcome):
            suggestion += f" It is recorded at {label(recorded)}, below what the RoSH indicates: check the reason."
    return RuleResult(rule_id, title, informs, outcome, suggestion, tuple(reasons))


def visor_expected(case: Case, tables: Tables) -> RuleResult:
    """Whether the case should have a ViSOR record (B.4.1.14) and be used in ViSOR (D.4.2.10)."""
    rule_id, title, informs = "visor", "ViSOR record", ("B.4.1.14", "D.4.2.10")
    category, level = text(case, "mappa_category"), text(case, "mappa_level")
    if category == "none":
        return RuleResult(rule_id, title, informs, "not_applicable", "Not a MAPPA case: no ViSOR record expected.",
                          ("MAPPA category is none",))
    missing = tuple(f for f, v in (("mappa_category", category), ("mappa_level", level)) if v is None or v == "none")
    if missing:
        return RuleResult(rule_id, title, informs, "unknown", "Record the MAPPA category and level.", (), missing)
    reasons = [f"MAPPA {label(str(category))} at {label(str(level))}"]
    for r in rows(tables, "visor_expectation"):
        if r["category"] == category and level in r["levels"]:
            if r["expectation"] == "expected":
                return RuleResult(
                    rule_id, title, informs, "expected",
                    "The case should have a ViSOR record (B.4.1.14), and ViSOR should be used in planning (D.4.2.10).",
                    (*reasons, "→ ViSOR record expected"),
                )
            return RuleResult(
                rule_id, title, informs, "not_usually",
                "Most such cases will not have a ViSOR record, although arrangements vary locally.",
                (*reasons, "→ ViSOR record not usually expected"),
            )
    return RuleResult(rule_id, title, informs, "unknown", "No ViSOR expectation is set for this category and level.",
                      tuple(reasons))


def mappa_referral(
    case: Case,
    tables: Tables,
    *,
    in_custody: bool | None = None,
    criteria_met_date: date | None = None,
    referral_date: date | None = None,
) -> RuleResult:
    """Referral timescales (B.4.1.20) for Level 2 and 3 cases: community cases within the table's working
    days of the assessment that the criteria are met; custody cases no later than six months before release."""
    rule_id, title, informs = "mappa_referral", "MAPPA referral timescale", ("B.4.1.20",)
    level = text(case, "mappa_level")
    if level is None or level == "none":
        return RuleResult(rule_id, title, informs, "unknown" if level is None else "not_applicable",
                          "Record the MAPPA level." if level is None else "Not a MAPPA case.", (),
                          ("mappa_level",) if level is None else ())
    if level == "level_1":
        return RuleResult(rule_id, title, informs, "not_required",
                          "Level 1 cases no longer need to be notified to MAPPA.", ("MAPPA Level 1",))
    if in_custody is None:
        return RuleResult(rule_id, title, informs, "unknown", "Say whether the case was in custody when assessed.",
                          (f"MAPPA {label(level)}",), ("in_custody",))
    spec = row(tables, "timescales", "mappa_referral_custody" if in_custody else "mappa_referral_community")
    start_field = str(spec["from_date"])
    start = text(case, "release_date") if in_custody else (criteria_met_date.isoformat() if criteria_met_date else None)
    if start is None:
        return RuleResult(rule_id, title, informs, "unknown", "Record the date the timescale runs from.",
                          (f"MAPPA {label(level)}",), (start_field,))
    due = due_date(date.fromisoformat(start), int(spec["amount"]), str(spec["unit"]))
    reasons = [f"MAPPA {label(level)}", f"{spec['text']}: due by {long_date(due)}"]
    if referral_date is None:
        return RuleResult(rule_id, title, informs, "unknown", f"Referral due by {long_date(due)}.",
                          tuple(reasons), ("mappa_referral_date",), due)
    met = referral_date <= due
    reasons.append(f"Referred {long_date(referral_date)} {'≤' if met else '>'} due {long_date(due)}")
    suggestion = "Referred within the timescale." if met else "Referred later than the timescale."
    return RuleResult(rule_id, title, informs, "met" if met else "not_met", suggestion, tuple(reasons), (), due)
