from datetime import date

from caseassess_core.sampling import REQUIRED_COLUMNS, parse_caseload_csv

HEADER = ",".join(REQUIRED_COLUMNS) + ",team"
GOOD = "C001,community_order,2013-01-15,female,bme,high,violence_against_the_person,supervision;unpaid_work,yes,tier_3,North"


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


def test_it_reads_a_row_with_typed_fields_and_keeps_extra_columns():
    result = parse_caseload_csv(csv_text(GOOD))
    assert result.ok
    (case,) = result.rows
    assert case.case_ref == "C001"
    assert case.supervision_start_date == date(2013, 1, 15)
    assert case.requirements == ("supervision", "unpaid_work")
    assert case.is_female and case.is_bme and case.is_high_rosh and case.is_child_protection
    assert not case.is_unpaid_work_only
    assert case.attributes == {"team": "North"}


def test_it_strips_a_byte_order_mark_and_accepts_bytes():
    result = parse_caseload_csv(("\ufeff" + csv_text(GOOD)).encode("utf-8"))
    assert result.ok and result.rows[0].case_ref == "C001"
    assert parse_caseload_csv("\ufeff" + csv_text(GOOD)).ok


def test_it_matches_values_ignoring_case_and_spaces():
    row = "C002, Community_Order ,2013-01-15,Female,BME,Very_High,Burglary, Unpaid_Work ,No,Tier_1,x"
    (case,) = parse_caseload_csv(csv_text(row)).rows
    assert (case.gender, case.rosh_at_start, case.requirements) == ("female", "very_high", ("unpaid_work",))
    assert case.is_unpaid_work_only


def test_it_reports_unknown_values_with_spreadsheet_row_and_column_and_returns_no_rows():
    bad = GOOD.replace("C001", "C002").replace("female", "unknown")
    result = parse_caseload_csv(csv_text(GOOD, bad))
    assert result.rows == ()
    (error,) = result.errors
    assert (error.row, error.column) == (3, "gender")
    assert "unknown value 'unknown'" in error.reason
    assert str(error).startswith("row 3, column gender:")


def test_it_reports_bad_dates_and_unknown_requirements():
    bad = GOOD.replace("2013-01-15", "15/01/2013").replace("unpaid_work", "community_payback")
    errors = parse_caseload_csv(csv_text(bad)).errors
    assert {(e.row, e.column) for e in errors} == {(2, "supervision_start_date"), (2, "requirements")}
    assert any("bad date '15/01/2013'" in e.reason for e in errors)
    assert not parse_caseload_csv(csv_text(GOOD.replace("2013-01-15", "2013-02-30"))).ok


def test_it_reports_a_missing_required_column_on_the_header_row():
    header = HEADER.replace("tier,", "")
    errors = parse_caseload_csv(csv_text(GOOD, header=header)).errors
    assert [(e.row, e.column, e.reason) for e in errors] == [(1, "tier", "missing required column")]


def test_it_reports_duplicate_case_refs_naming_the_first_row():
    errors = parse_caseload_csv(csv_text(GOOD, GOOD)).errors
    assert [(e.row, e.column) for e in errors] == [(3, "case_ref")]
    assert "first on row 2" in errors[0].reason


def test_it_reports_an_empty_file_and_a_header_without_cases():
    assert parse_caseload_csv("").errors[0].reason == "the file is empty"
    assert parse_caseload_csv(b"").errors[0].reason == "the file is empty"
    assert "no cases" in parse_caseload_csv(csv_text()).errors[0].reason


def test_it_names_the_row_of_a_byte_that_is_not_utf8():
    data = csv_text(GOOD).encode("utf-8") + "C003,Ren\u00e9e".encode("latin-1") + b"\n"
    (error,) = parse_caseload_csv(data).errors
    assert error.row == 3
    assert "not UTF-8" in error.reason


def test_blank_lines_are_skipped_but_still_count_for_row_numbers():
    bad = GOOD.replace("C001", "C002").replace("tier_3", "tier_9")
    errors = parse_caseload_csv(csv_text(GOOD, "", bad)).errors
    assert [(e.row, e.column) for e in errors] == [(4, "tier")]


def test_it_reports_a_row_with_more_values_than_the_header():
    errors = parse_caseload_csv(csv_text(GOOD + ",extra")).errors
    assert errors[0].row == 2 and "12 values" in errors[0].reason
