"""Headline and general criteria scores of one findings export (JSON) pooled by the membership of
one or more instrument directories: shows what the pooling alone changes, on the same answers.

    python scripts/method_scores.py findings.json OLD_INSTRUMENT_DIR NEW_INSTRUMENT_DIR

Per-question counts come from the export's first versus-all table (its all-cases column holds
every scored question answered in the programme). Used for docs/method.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from caseassess_core.instrument.loader import load_instrument  # noqa: E402


def main(report_path: str, *instrument_dirs: str) -> None:
    data = json.loads(Path(report_path).read_text(encoding="utf-8"))
    table = next(t for t in data["tables"] if t["comparison"] == "versus_all")
    counts = {r["id"]: (r["cells"][1]["sufficient"], r["cells"][1]["n"]) for r in table["rows"]}
    for directory in instrument_dirs:
        ins = load_instrument(directory).instrument
        print(f"\n{directory}")
        for kind, score in ins.all_scores():
            members = ins.score_members(score)
            s = sum(counts.get(q, (0, 0))[0] for q in members)
            n = sum(counts.get(q, (0, 0))[1] for q in members)
            pct = "–" if n == 0 else f"{(200 * s + n) // (2 * n)}%"
            print(f"| {kind} | {score.title} | {len(members)} | {pct} | {s:,} / {n:,} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
