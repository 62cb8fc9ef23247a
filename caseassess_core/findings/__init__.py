"""Counts -> report tables as plain data. Every export reads these; no HTML here."""

from caseassess_core.findings.annex import SampleTable, SampleValue, sample_characteristics
from caseassess_core.findings.areas import AreaChart, AreaScores, ScoreRange, area_ranges, area_scores
from caseassess_core.findings.counts import CaseCount, CountIndex, CountRow
from caseassess_core.findings.keyfindings import key_findings, table_points
from caseassess_core.findings.report import Report, build_report, report_to_dict
from caseassess_core.findings.tables import (
    ALL_CASES,
    Cell,
    Comparison,
    FindingsTable,
    GroupSpec,
    Row,
    Test,
    overall_scores,
    question_table,
    score_rows,
)

__all__ = [
    "ALL_CASES",
    "AreaChart",
    "AreaScores",
    "CaseCount",
    "Cell",
    "Comparison",
    "CountIndex",
    "CountRow",
    "FindingsTable",
    "GroupSpec",
    "Report",
    "Row",
    "SampleTable",
    "SampleValue",
    "ScoreRange",
    "Test",
    "area_ranges",
    "area_scores",
    "build_report",
    "key_findings",
    "overall_scores",
    "question_table",
    "report_to_dict",
    "sample_characteristics",
    "score_rows",
    "table_points",
]
