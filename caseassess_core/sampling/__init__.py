"""Seeded stratified case sampling: caseload import, design, draw and design weights."""

from caseassess_core.sampling.caseload import (
    REQUIRED_COLUMNS,
    CaseloadError,
    CaseloadParseResult,
    CaseRecord,
    parse_caseload_csv,
)
from caseassess_core.sampling.design import SamplingDesign
from caseassess_core.sampling.draw import (
    CELL_FLAGS,
    CellAllocation,
    QuotaCheck,
    SampleResult,
    ShareCheck,
    StratumShare,
    draw_sample,
)

__all__ = [
    "CELL_FLAGS",
    "REQUIRED_COLUMNS",
    "CaseRecord",
    "CaseloadError",
    "CaseloadParseResult",
    "CellAllocation",
    "QuotaCheck",
    "SampleResult",
    "SamplingDesign",
    "ShareCheck",
    "StratumShare",
    "draw_sample",
    "parse_caseload_csv",
]
