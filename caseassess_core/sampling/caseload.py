"""Read an area's caseload extract (CSV) into typed case rows, all or nothing.

The header names the columns; the required ones are listed in ``REQUIRED_COLUMNS``
and take the values of the case-detail contract (docs/case-details-contract.md).
Any other column is kept, as text, in ``CaseRecord.attributes``. Values are
matched after trimming spaces and ignoring case (``Female`` reads as ``female``).

Errors carry the row number as a spreadsheet shows it (the header is row 1, the
first case row 2) and the column, so a lead inspector can find and fix the cell.
If there is any error, no rows are returned.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from caseassess_core.csvrows import StrayCarriageReturn, records_from_text
from caseassess_core.textcheck import control_character, is_case_ref, neutralise_formula

SENTENCE_TYPES = frozenset(
    {"community_order", "suspended_sentence_order", "licence_determinate", "licence_indeterminate"}
)
GENDERS = frozenset({"male", "female"})
ETHNICITIES = frozenset({"white", "bme", "not_known"})
ROSH_LEVELS = frozenset({"low", "medium", "high", "very_high", "not_completed"})
HIGH_ROSH = frozenset({"high", "very_high"})
PRINCIPAL_OFFENCES = frozenset(
    {
        "violence_against_the_person",
        "sexual_offences",
        "robbery",
        "burglary",
        "theft_and_handling",
        "fraud_and_forgery",
        "criminal_damage",
        "drug_offences",
        "motoring",
        "other",
    }
)
REQUIREMENTS = frozenset(
    {
        "supervision",
        "unpaid_work",
        "activity",
        "accredited_programme",
        "prohibited_activity",
        "curfew",
        "exclusion",
        "residence",
        "mental_health_treatment",
        "drug_rehabilitation",
        "alcohol_treatment",
        "attendance_centre",
        "standard_6_only",
        "licence_additional_conditions",
    }
)
YES_NO = frozenset({"yes", "no"})
TIERS = frozenset({"tier_1", "tier_2", "tier_3", "tier_4", "unallocated"})

_SINGLE_CHOICE: Mapping[str, frozenset[str]] = {
    "sentence_type": SENTENCE_TYPES,
    "gender": GENDERS,
    "ethnicity": ETHNICITIES,
    "rosh_at_start": ROSH_LEVELS,
    "principal_offence": PRINCIPAL_OFFENCES,
    "child_protection_concerns": YES_NO,
    "tier": TIERS,
}

REQUIRED_COLUMNS: tuple[str, ...] = (
    "case_ref",
    "sentence_type",
    "supervision_start_date",
    "gender",
    "ethnicity",
    "rosh_at_start",
    "principal_offence",
    "requirements",
    "child_protection_concerns",
    "tier",
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CaseRecord:
    """One case of the caseload, with the fields sampling needs."""

    case_ref: str
    sentence_type: str
    supervision_start_date: date
    gender: str
    ethnicity: str
    rosh_at_start: str
    principal_offence: str
    requirements: tuple[str, ...]
    child_protection_concerns: str
    tier: str
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_high_rosh(self) -> bool:
        return self.rosh_at_start in HIGH_ROSH

    @property
    def is_female(self) -> bool:
        return self.gender == "female"

    @property
    def is_bme(self) -> bool:
        return self.ethnicity == "bme"

    @property
    def is_child_protection(self) -> bool:
        return self.child_protection_concerns == "yes"

    @property
    def is_unpaid_work_only(self) -> bool:
        """Community sentence whose only requirement is unpaid work."""
        return self.requirements == ("unpaid_work",)


@dataclass(frozen=True)
class CaseloadError:
    """Where a value is wrong: ``row`` as a spreadsheet numbers it, ``column`` by header name."""

    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class CaseloadParseResult:
    """Either ``rows`` (and no errors) or ``errors`` (and no rows)."""

    rows: tuple[CaseRecord, ...] = ()
    errors: tuple[CaseloadError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: str | bytes) -> str | CaseloadError:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        return CaseloadError(
            row,
            None,
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "save it from the spreadsheet as 'CSV UTF-8'",
        )


def _parse_date(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _allowed(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


def parse_caseload_csv(text: str | bytes) -> CaseloadParseResult:
    """Parse a caseload extract; bytes are decoded as UTF-8 (a BOM is stripped either way).

    Blank lines are skipped (they still count for row numbers). Columns with an
    empty header are ignored. A header-only file is an error: a caseload with no
    cases cannot be sampled.
    """
    decoded = _decode(text)
    if isinstance(decoded, CaseloadError):
        return CaseloadParseResult(errors=(decoded,))
    try:
        records = list(records_from_text(decoded))
    except StrayCarriageReturn as exc:
        return CaseloadParseResult(errors=(CaseloadError(exc.line, None, f"this is not valid CSV: {exc}"),))
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KB limit
        return CaseloadParseResult(errors=(CaseloadError(1, None, f"this is not a readable CSV file ({exc})"),))
    if not records or not any(cell.strip() for cell in records[0]):
        return CaseloadParseResult(errors=(CaseloadError(1, None, "the file is empty"),))

    header = [cell.strip().lower() for cell in records[0]]
    errors: list[CaseloadError] = []
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            errors.append(CaseloadError(1, name, "the column appears twice in the header"))
        seen.add(name)
    errors.extend(CaseloadError(1, name, "missing required column") for name in REQUIRED_COLUMNS if name not in seen)
    if errors:
        return CaseloadParseResult(errors=tuple(errors))

    rows: list[CaseRecord] = []
    first_row_of: dict[str, int] = {}
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            errors.append(
                CaseloadError(index, None, f"the row has {len(record)} values but the header has {len(header)} columns")
            )
            continue
        values = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header) if name}
        parsed = _parse_row(index, values, errors)
        if parsed is None:
            continue
        if parsed.case_ref in first_row_of:
            errors.append(
                CaseloadError(
                    index,
                    "case_ref",
                    f"duplicate case_ref {parsed.case_ref!r} (first on row {first_row_of[parsed.case_ref]})",
                )
            )
            continue
        first_row_of[parsed.case_ref] = index
        rows.append(parsed)

    if errors:
        return CaseloadParseResult(errors=tuple(errors))
    if not rows:
        return CaseloadParseResult(errors=(CaseloadError(2, None, "the file has a header but no cases"),))
    return CaseloadParseResult(rows=tuple(rows))


def _parse_row(row: int, values: Mapping[str, str], errors: list[CaseloadError]) -> CaseRecord | None:
    before = len(errors)
    case_ref = values["case_ref"]
    for column, value in values.items():
        bad = control_character(value, allow_line_breaks=column not in REQUIRED_COLUMNS)
        if bad is not None:
            errors.append(CaseloadError(row, column, f"remove the control character {bad}"))
    if len(errors) > before:
        return None
    if not case_ref:
        errors.append(CaseloadError(row, "case_ref", "the case reference is empty"))
    elif not is_case_ref(case_ref):
        errors.append(
            CaseloadError(
                row,
                "case_ref",
                f"{case_ref[:50]!r} is not a case reference: use letters, numbers, / . _ or - "
                "(up to 40 characters, starting with a letter or number)",
            )
        )

    choices: dict[str, str] = {}
    for column, allowed in _SINGLE_CHOICE.items():
        value = values[column].lower()
        if not value:
            errors.append(CaseloadError(row, column, f"empty value; expected one of {_allowed(allowed)}"))
        elif value not in allowed:
            errors.append(
                CaseloadError(row, column, f"unknown value {values[column]!r}; expected one of {_allowed(allowed)}")
            )
        choices[column] = value

    raw_date = values["supervision_start_date"]
    start = _parse_date(raw_date)
    if start is None:
        errors.append(
            CaseloadError(row, "supervision_start_date", f"bad date {raw_date!r}; expected YYYY-MM-DD, e.g. 2013-04-30")
        )

    requirements: list[str] = []
    for item in values["requirements"].split(";"):
        value = item.strip().lower()
        if not value or value in requirements:
            continue
        if value not in REQUIREMENTS:
            errors.append(
                CaseloadError(
                    row,
                    "requirements",
                    f"unknown requirement {item.strip()!r}; expected any of {_allowed(REQUIREMENTS)}",
                )
            )
        requirements.append(value)

    if len(errors) > before or start is None:
        return None
    # Other columns are kept as text; one a spreadsheet would run as a formula is stored neutralised.
    attributes = {name: neutralise_formula(value) for name, value in values.items() if name not in REQUIRED_COLUMNS}
    return CaseRecord(
        case_ref=case_ref,
        sentence_type=choices["sentence_type"],
        supervision_start_date=start,
        gender=choices["gender"],
        ethnicity=choices["ethnicity"],
        rosh_at_start=choices["rosh_at_start"],
        principal_offence=choices["principal_offence"],
        requirements=tuple(requirements),
        child_protection_concerns=choices["child_protection_concerns"],
        tier=choices["tier"],
        attributes=attributes,
    )
