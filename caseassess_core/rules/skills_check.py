"""First Move skills check (C.2.1.11): score bands and signposting (table ``first_move_bands``).

A score falls in the band with the highest ``min`` not above it; a band with ``signpost``
true means the offender should be signposted to a full diagnostic assessment (59 and under).
"""

from __future__ import annotations

from caseassess_core.rules.base import Case, RuleResult, Tables, number, rows

RULE_ID = "skills_check"
TITLE = "First Move skills check"
INFORMS = ("C.2.1.11",)


def first_move_band(case: Case, tables: Tables) -> RuleResult:
    score = number(case, "first_move_score")
    if score is None:
        return RuleResult(RULE_ID, TITLE, INFORMS, "unknown",
                          "No First Move score recorded: was the screening done where literacy difficulties exist?",
                          (), ("first_move_score",))
    bands = sorted(rows(tables, "first_move_bands"), key=lambda r: float(r["min"]), reverse=True)
    for band in bands:
        if score >= float(band["min"]):
            signpost = bool(band["signpost"])
            reason = f"First Move score {score:g} ≥ {band['min']} → {band['id']}: {band['meaning']}"
            suggestion = (
                "The offender should have been signposted to a service for a full diagnostic assessment of skills"
                " development needs (C.2.1.11)."
                if signpost
                else "Signposting for a diagnostic assessment is not required by the score."
            )
            return RuleResult(RULE_ID, TITLE, INFORMS, str(band["id"]), suggestion,
                              (reason, "signpost: yes" if signpost else "signpost: no"))
    return RuleResult(RULE_ID, TITLE, INFORMS, "unknown", f"Score {score:g} is below every band.", (), ())
