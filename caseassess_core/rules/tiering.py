"""Indicative tier from the post-sentence Tiering Decision Grid (guide Appendix 2).

Informs C.2.1.1 (allocated to the correct tier) and C.2.1.2 (valid reason for a departure).
Every row of table ``tiering_grid`` is asked of the case; the indicative tier is the
furthest-right tick among the rows answered 'yes'.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caseassess_core.rules.base import (
    CO_SSO,
    LICENCES,
    TIERS,
    Case,
    RuleResult,
    Tables,
    choices,
    label,
    number,
    rows,
    text,
)

RULE_ID = "tiering"
TITLE = "Indicative tier (post-sentence Tiering Decision Grid)"
INFORMS = ("case.tier", "C.2.1.1", "C.2.1.2")
TABLE_ID = "tiering_grid"


@dataclass(frozen=True)
class _Answer:
    ticked: bool
    missing: tuple[str, ...] = ()
    fact: str = ""


def row_tiers(grid_row: Mapping[str, Any], local_overrides: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The tiers ticked in one grid row, after any local determination."""
    if local_overrides and grid_row["id"] in local_overrides:
        return (local_overrides[grid_row["id"]],)
    return tuple(t for t in TIERS if grid_row.get(t))


def check_overrides(grid: list[dict[str, Any]], local_overrides: Mapping[str, str]) -> None:
    """Refuse an override of an unknown row, of a row not left to local determination, or to no tier."""
    by_id = {r["id"]: r for r in grid}
    for row_id, tier in local_overrides.items():
        if row_id not in by_id:
            raise ValueError(f"local override for unknown tiering grid row {row_id!r}")
        if not by_id[row_id].get("local_determination"):
            raise ValueError(f"tiering grid row {row_id!r} is not for local determination")
        if tier not in TIERS:
            raise ValueError(f"local override {row_id!r} -> {tier!r}: tier must be one of {', '.join(TIERS)}")


def _short_condition(grid_row: Mapping[str, Any]) -> str:
    """The row's condition without the grid's own "(for local determination)" note."""
    return str(grid_row["condition"]).replace(" (for local determination)", "")


def _in_group(case: Case, group: str) -> _Answer:
    sentence = text(case, "sentence_type")
    if group == "any":
        return _Answer(True)
    if sentence is None:
        return _Answer(False, ("sentence_type",))
    if group == "co_sso":
        return _Answer(sentence in CO_SSO)
    if group == "co_sso_or_licence":
        return _Answer(sentence in CO_SSO or sentence in LICENCES)
    if group == "supervision":
        if sentence in LICENCES:
            return _Answer(True, fact=f"{label(sentence)} (licence)")
        if sentence not in CO_SSO:
            return _Answer(False)
        reqs = choices(case, "requirements")
        if reqs is None:
            return _Answer(False, ("requirements",))
        return _Answer("supervision" in reqs, fact=f"{label(sentence)} with a supervision requirement")
    raise ValueError(f"tiering grid: unknown applies_to {group!r}")


def _whole_percent(score: float) -> int:
    """OGP and OGRS 3 are reported as whole percentages; round half up."""
    return math.floor(score + 0.5)


def _match(case: Case, r: Mapping[str, Any]) -> _Answer:
    kind = r["match"]
    values = frozenset(str(v) for v in r.get("values") or ())
    field = r.get("field")
    if kind == "score_band":
        ogp = number(case, "ogp_score")
        if ogp is not None:
            pct = _whole_percent(ogp)
            hit = r["ogp_min"] <= pct <= r["ogp_max"]
            return _Answer(hit, fact=f"OGP 2 year score {ogp:g}% is in {r['ogp_min']}-{r['ogp_max']}")
        ogrs = number(case, "ogrs_score")
        if ogrs is not None:
            pct = _whole_percent(ogrs)
            hit = r["ogrs_min"] <= pct <= r["ogrs_max"]
            return _Answer(hit, fact=f"OGRS 3 score {ogrs:g}% is in {r['ogrs_min']}-{r['ogrs_max']}")
        return _Answer(False, ("ogp_score or ogrs_score",))
    if not isinstance(field, str):
        raise ValueError(f"tiering grid row {r['id']!r}: match {kind!r} needs a field")
    if kind in ("requirements_exactly", "requirements_within", "contains_any"):
        held = choices(case, field)
        if held is None:
            return _Answer(False, (field,))
        shown = ", ".join(sorted(label(v) for v in held)) or "none"
        if kind == "requirements_exactly":
            return _Answer(held == values, fact=f"{label(field)}: {shown}")
        if kind == "requirements_within":
            return _Answer(bool(held) and held <= values, fact=f"{label(field)}: {shown}")
        hits = sorted(label(v) for v in held & values)
        return _Answer(bool(hits), fact=f"{label(field)} include {', '.join(hits)}")
    if kind == "equals":
        value = text(case, field)
        if value is None or (field == "rosh_at_start" and value == "not_completed"):
            return _Answer(False, (field,))
        return _Answer(value in values, fact=f"{label(field)} is {label(value)}")
    raise ValueError(f"tiering grid row {r['id']!r}: unknown match {kind!r}")


def ticked_rows(
    case: Case, tables: Tables, *, local_overrides: Mapping[str, str] | None = None
) -> tuple[list[tuple[dict[str, Any], tuple[str, ...], str]], tuple[str, ...]]:
    """Rows answered 'yes' as (row, tiers ticked, fact), and the case details that were needed but missing."""
    grid = rows(tables, TABLE_ID)
    if local_overrides:
        check_overrides(grid, local_overrides)
    ticked: list[tuple[dict[str, Any], tuple[str, ...], str]] = []
    missing: list[str] = []
    for r in grid:
        group = _in_group(case, r["applies_to"])
        missing.extend(m for m in group.missing if m not in missing)
        if not group.ticked:
            continue
        answer = _match(case, r)
        missing.extend(m for m in answer.missing if m not in missing)
        if answer.ticked:
            facts = "; ".join(f for f in (group.fact, answer.fact) if f)
            ticked.append((r, row_tiers(r, local_overrides), facts))
    return ticked, tuple(missing)


def indicative_tier(case: Case, tables: Tables, *, local_overrides: Mapping[str, str] | None = None) -> RuleResult:
    """The indicative tier: the furthest-right tick of the rows that apply to the case.

    ``local_overrides`` maps a row left to local determination (``did_liap``, ``atr``,
    ``activity_requirement`` in the 2013 grid) to the tier the area ticks for it.
    """
    ticked, missing = ticked_rows(case, tables, local_overrides=local_overrides)
    reasons: list[str] = []
    local_notes: list[str] = []
    unset: list[str] = []  # rows left to local determination that the area has not set
    best = -1
    for r, tiers, fact in ticked:
        local = " (local determination)" if local_overrides and r["id"] in local_overrides else ""
        if r.get("local_determination") and not local:
            unset.append(_short_condition(r))
            reasons.append(f"{r['condition']}: {fact} → Tier 1 or Tier 2 (local determination not set)")
            continue
        cols = " and ".join(label(t) for t in tiers) or "no"
        reasons.append(f"{r['condition']}: {fact} → {cols} column{local}")
        if local:
            local_notes.append(f"{_short_condition(r)} counts as {cols}{local}")
        for t in tiers:
            best = max(best, TIERS.index(t))
    if unset and best < TIERS.index("tier_2"):
        # The grid leaves these rows to the area (Tier 1 or Tier 2); with nothing set, the tier is not known.
        suggestion = (
            "The grid indicates Tier 1 or Tier 2 (local determination not set): "
            f"{'; '.join(unset)} is for local determination and this area has not set it."
        )
        return RuleResult(RULE_ID, TITLE, INFORMS, "tier_1_or_tier_2", suggestion, tuple(reasons), missing)
    if best < 0:
        outcome = "undetermined"
        suggestion = "No row of the tiering grid is ticked from the recorded case details"
        suggestion += "; record the missing details." if missing else "; check the sentence details."
        return RuleResult(RULE_ID, TITLE, INFORMS, outcome, suggestion, tuple(reasons), missing)
    outcome = TIERS[best]
    prefix = "at least " if missing else ""
    suggestion = f"The grid indicates {prefix}{label(outcome)}."
    if local_notes:
        suggestion += f" In this area {'; '.join(local_notes)}."
    allocated = text(case, "tier")
    if allocated in TIERS:
        if allocated == outcome and not missing:
            suggestion += (
                f" The allocated tier ({label(allocated)}) matches: C.2.1.1 may be 'Yes' if it also meets the needs"
                " of the case; C.2.1.2 does not arise."
            )
        elif allocated != outcome:
            suggestion += (
                f" The allocated tier ({label(allocated)}) differs: look for a valid recorded reason for the"
                " departure (C.2.1.2) before answering C.2.1.1."
            )
    elif allocated is not None:
        suggestion += f" The case is recorded as {label(allocated)}."
    if missing:
        suggestion += " Some details needed by the grid are not recorded, so the tier may be higher."
    return RuleResult(RULE_ID, TITLE, INFORMS, outcome, suggestion, tuple(reasons), missing)
