"""A small hand-computed programme shared by the findings tests.

Instrument: three scored questions in two sections (plus one unscored text question),
two headline scores and two general criteria scores:

    roh        (headline) = sections B.1.1          -> B.1.1.1 + B.1.1.2
    compliance (headline) = C.2.1.1 + B.1.1.2
    ga1        (general)  = section B.1.1           -> B.1.1.1 + B.1.1.2
    ga2        (general)  = section C.2.1           -> C.2.1.1

Totals over every dimension (excluded answers left out):
    B.1.1.1  11 / 20 = 55%     B.1.1.2  12 / 21 = 57.1% -> 57%     C.2.1.1  13 / 20 = 65%
"""

from caseassess_core.findings import CaseCount, CountRow
from caseassess_core.instrument.schema import AnswerType, Instrument, Question, ScoreDefinition, Section, View

SUF, INS, EXC = "sufficient", "insufficient", "excluded"


def instrument() -> Instrument:
    return Instrument(
        id="golden-1",
        title="Golden programme",
        version="1",
        views=[
            View(
                id="1",
                title="Assessment",
                sections=[
                    Section(
                        id="B.1.1",
                        criterion="1.1",
                        title="Preparing for sentence",
                        questions=[
                            Question(
                                id="B.1.1.1",
                                text="Did the PSR analyse RoH accurately?",
                                key_aspect="Accurate RoH analysis in the PSR?",
                            ),
                            Question(id="B.1.1.2", text="Was the risk management plan on time?"),
                            Question(id="B.1.1.3", text="Comments", type=AnswerType.TEXT),
                        ],
                    ),
                    Section(
                        id="C.2.1",
                        criterion="2.1",
                        title="Delivering the sentence",
                        questions=[Question(id="C.2.1.1", text="Was every effort made to promote compliance?")],
                    ),
                ],
            )
        ],
        headline_scores=[
            ScoreDefinition(
                id="roh",
                title="Risk of Harm",
                description="work to keep to a minimum each offender's Risk of Harm to others",
                sections=["B.1.1"],
            ),
            ScoreDefinition(id="compliance", title="Compliance & <Enforcement>", questions=["C.2.1.1", "B.1.1.2"]),
        ],
        general_criteria=[
            ScoreDefinition(id="ga1", title="Assessment and sentence planning", sections=["B.1.1"]),
            ScoreDefinition(id="ga2", title="Implementation of interventions", sections=["C.2.1"]),
        ],
    )


def _rows(spec):
    return [CountRow(q, g, s, n) for (q, g), outcomes in spec.items() for s, n in outcomes.items()]


# RoSH dimension (Tables 3-6: high + very high beside all cases)
ROSH = _rows(
    {
        ("B.1.1.1", "high"): {SUF: 5, INS: 1},
        ("B.1.1.1", "very_high"): {SUF: 2},
        ("B.1.1.1", "medium"): {SUF: 3, INS: 6},
        ("B.1.1.1", "low"): {SUF: 1, INS: 2},
        ("B.1.1.1", None): {EXC: 3},
        ("B.1.1.2", "high"): {SUF: 2, INS: 3},
        ("B.1.1.2", "medium"): {SUF: 6, INS: 3},
        ("B.1.1.2", "low"): {SUF: 4, INS: 2},
        ("B.1.1.2", None): {INS: 1},
        ("C.2.1.1", "high"): {EXC: 4},
        ("C.2.1.1", "medium"): {SUF: 8, INS: 4},
        ("C.2.1.1", "low"): {SUF: 5, INS: 3, EXC: 1},
    }
)

# Supervision type (Table 7: community orders vs licences, two raw licence values pooled)
SUPERVISION = _rows(
    {
        ("B.1.1.1", "community"): {SUF: 9, INS: 6},
        ("B.1.1.1", None): {SUF: 2, INS: 3, EXC: 3},
        ("B.1.1.2", "community"): {SUF: 4, INS: 6},
        ("B.1.1.2", "licence_determinate"): {SUF: 6, INS: 1},
        ("B.1.1.2", "licence_indeterminate"): {SUF: 2, INS: 1},
        ("B.1.1.2", None): {INS: 1},
        ("C.2.1.1", "community"): {SUF: 3, INS: 7},
        ("C.2.1.1", "licence_determinate"): {SUF: 10},
        ("C.2.1.1", "licence_indeterminate"): {EXC: 5},
    }
)

# Areas (Charts 1 and 2)
AREAS = _rows(
    {
        ("B.1.1.1", "North"): {SUF: 8, INS: 2, EXC: 3},
        ("B.1.1.1", "South"): {SUF: 3, INS: 7},
        ("B.1.1.2", "North"): {SUF: 6, INS: 4},
        ("B.1.1.2", "South"): {SUF: 5, INS: 5},
        ("B.1.1.2", None): {SUF: 1},
        ("C.2.1.1", "North"): {SUF: 9, INS: 1},
        ("C.2.1.1", "South"): {SUF: 4, INS: 6, EXC: 5},
    }
)

CASES = [
    CaseCount("gender", "male", 88),
    CaseCount("gender", "female", 12),
    CaseCount("tier", "tier_1", 999),
    CaseCount("tier", "unallocated", 1),
    CaseCount("tier", None, 0),
]
