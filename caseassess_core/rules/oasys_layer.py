"""Expected OASys layer (B.3.1.1): full for Tiers 3-4, PPO and IOM; standard for Tier 2; basic for
Tier 1 and standalone unpaid work. Table ``oasys_layer_by_tier``: the first matching row wins."""

from __future__ import annotations

from caseassess_core.rules.base import Case, RuleResult, Tables, choices, label, rows, text

RULE_ID = "oasys_layer"
TITLE = "Expected OASys layer"
INFORMS = ("B.3.1.1",)


def expected_oasys_layer(case: Case, tables: Tables, *, tier: str | None = None) -> RuleResult:
    """``tier`` replaces the recorded ``case.tier`` (e.g. the indicative tier when none is recorded)."""
    facts = dict(case)
    if tier is not None:
        facts["tier"] = tier
    missing: list[str] = []
    for r in rows(tables, "oasys_layer_by_tier"):
        field, values = str(r["field"]), frozenset(str(v) for v in r["values"])
        held = choices(facts, field) if field == "requirements" else None
        if field == "requirements":
            hit = held is not None and held == values
            if held is None and field not in missing:
                missing.append(field)
        else:
            value = text(facts, field)
            hit = value in values
            if value is None and field not in missing:
                missing.append(field)
        if hit:
            layer = str(r["layer"])
            suggestion = f"A {layer} layer OASys is expected ({r['condition']})."
            if r["id"] == "standalone_upw":
                suggestion += " B.3.1.1 does not apply to standalone unpaid work cases with a basic layer OASys."
            reason = f"{r['condition']} → {layer} layer"
            if tier is not None and field == "tier":
                reason += f" ({label(tier)} as given)"
            return RuleResult(RULE_ID, TITLE, INFORMS, layer, suggestion, (reason,), tuple(missing))
    return RuleResult(RULE_ID, TITLE, INFORMS, "unknown", "Record the tier to know the expected OASys layer.",
                      (), tuple(missing))
