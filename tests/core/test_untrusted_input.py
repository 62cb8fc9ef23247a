"""Issue 14, items 7, 8, 9 and 12 in the pure core: non-finite numbers, CSV newlines,
control characters and formula starts, and the instrument loader's limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from caseassess_core.csvrows import StrayCarriageReturn, records_from_file, records_from_text
from caseassess_core.instrument.loader import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, InstrumentError, load_instrument
from caseassess_core.sampling import REQUIRED_COLUMNS, parse_caseload_csv
from caseassess_core.scoring.assess import AnswerError, clean_answer

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini-instrument"


@pytest.fixture(scope="module")
def mini() -> object:
    return load_instrument(MINI).instrument


# -- item 7: nan, inf, Infinity, 1e400 ---------------------------------------------------------


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", " -1E999 "])
def test_a_number_field_refuses_non_finite_numbers_with_a_clear_message(mini: object, raw: str) -> None:
    field = next(f for f in mini.case_details if f.id == "ogrs_score")  # type: ignore[attr-defined]
    with pytest.raises(AnswerError, match=r"enter a number such as 12 or 3\.5 .* is not a finite number"):
        clean_answer(mini, field, raw)  # type: ignore[arg-type]
    assert clean_answer(mini, field, "42.5") == 42.5  # type: ignore[arg-type]


# -- item 8: CR, LF and CRLF inside and between fields --------------------------------------------

MIXED = 'case_ref,note\r\nA-1,"two\r\nlines"\nA-2,"line\nfeed"\r\nA-3,"carriage\rreturn"\nA-4,plain\r\n'


def test_records_end_with_lf_or_crlf_and_keep_every_newline_inside_quotes(tmp_path: Path) -> None:
    expected = [["case_ref", "note"], ["A-1", "two\r\nlines"], ["A-2", "line\nfeed"], ["A-3", "carriage\rreturn"], ["A-4", "plain"]]
    assert list(records_from_text(MIXED)) == expected
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED.encode())
    assert list(records_from_file(path)) == expected


def test_a_file_whose_lines_end_with_cr_alone_is_read_as_such() -> None:
    assert list(records_from_text('case_ref,note\rA-1,"x\ry"\rA-2,z\r')) == [["case_ref", "note"], ["A-1", "x\ry"], ["A-2", "z"]]


@pytest.mark.parametrize("text", ["case_ref\nTST-1\rb\n", "case_ref\r\nTST-1\rb\r\n", "case_ref,x\nTST-1,a\rb\n"])
def test_a_stray_carriage_return_outside_quotes_is_refused_naming_its_line(text: str, tmp_path: Path) -> None:
    with pytest.raises(StrayCarriageReturn, match="line 2 has a carriage return inside a value that is not in double quotes"):
        list(records_from_text(text))
    path = tmp_path / "stray.csv"
    path.write_bytes(text.encode())
    with pytest.raises(StrayCarriageReturn):
        list(records_from_file(path))


def test_a_caseload_with_a_stray_carriage_return_is_refused_and_newlines_in_quotes_are_kept() -> None:
    header = ",".join(REQUIRED_COLUMNS) + ",team"
    good = "C001,community_order,2013-01-15,female,bme,high,burglary,supervision,yes,tier_3"
    result = parse_caseload_csv(f'{header}\r\n{good},"North\r\nteam"\n{good.replace("C001", "C002")},South\r\n')
    assert result.ok and [r.attributes["team"] for r in result.rows] == ["North\r\nteam", "South"]
    result = parse_caseload_csv(f"{header}\n{good},North\rb\n")
    assert not result.ok and result.errors[0].row == 2 and "carriage return" in str(result.errors[0])


# -- item 9: control characters and formula starts ----------------------------------------------


def test_answers_and_case_details_refuse_nul_and_control_characters(mini: object) -> None:
    text_q = next(q for q in mini.questions() if q.type.value == "text")  # type: ignore[attr-defined]
    with pytest.raises(AnswerError, match="remove the control character U\\+0000 at character 4"):
        clean_answer(mini, text_q, "abc\x00def")  # type: ignore[arg-type]
    with pytest.raises(AnswerError, match="U\\+001B"):
        clean_answer(mini, text_q, "\x1b[31mred")  # type: ignore[arg-type]
    assert clean_answer(mini, text_q, "two\r\nlines\tand a tab") == "two\r\nlines\tand a tab"  # type: ignore[arg-type]
    field = next(f for f in mini.case_details if f.id == "ogrs_score")  # type: ignore[attr-defined]
    with pytest.raises(AnswerError, match="control character"):
        clean_answer(mini, field, "12\x00")  # type: ignore[arg-type]


def test_a_caseload_refuses_nul_and_formula_case_references_and_neutralises_formula_text() -> None:
    header = ",".join(REQUIRED_COLUMNS) + ",team"
    row = "{ref},community_order,2013-01-15,female,bme,high,burglary,supervision,yes,tier_3,{team}"
    nul_ref, formula_ref = row.format(ref="C0\x001", team="x"), row.format(ref="=HYPERLINK(1)", team="x")
    bad = parse_caseload_csv(f"{header}\n{nul_ref}\n{formula_ref}\n")
    assert not bad.ok
    assert [(e.row, e.column) for e in bad.errors] == [(2, "case_ref"), (3, "case_ref")]
    assert "U+0000" in str(bad.errors[0]) and "is not a case reference" in str(bad.errors[1])
    ok = parse_caseload_csv(f"{header}\n{row.format(ref='C001', team='=cmd|calc')}\n{row.format(ref='C002', team='@SUM(A1)')}\n")
    assert ok.ok and [r.attributes["team"] for r in ok.rows] == ["'=cmd|calc", "'@SUM(A1)"]


# -- item 12: the instrument loader's include and limits ----------------------------------------

HEAD = 'id: t\ntitle: T\nversion: "1"\n'


def _problem(path: Path) -> str:
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    return str(info.value)


def test_an_include_outside_the_instrument_directory_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "ins"
    home.mkdir()
    (tmp_path / "secret.yaml").write_text("views: []\n")
    for inc in ("../secret.yaml", str(tmp_path / "secret.yaml"), "/etc/passwd"):
        (home / "instrument.yaml").write_text(HEAD + f"include: [{inc!r}]\n")
        assert f"included file {inc!r} is outside the instrument directory" in _problem(home)
    os.symlink(tmp_path / "secret.yaml", home / "link.yaml")  # a symbolic link inside, pointing outside
    (home / "instrument.yaml").write_text(HEAD + "include: [link.yaml]\n")
    assert "included file 'link.yaml' is outside the instrument directory" in _problem(home)


def test_a_billion_laughs_file_is_refused_naming_the_alias_limit(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 10)]
    (tmp_path / "instrument.yaml").write_text(HEAD + "\n".join(lines) + "\n")
    assert f"expands to more than {MAX_VALUES:,} values (limit on alias expansion" in _problem(tmp_path)


def test_deep_nesting_is_refused_naming_the_depth_limit(tmp_path: Path) -> None:
    (tmp_path / "instrument.yaml").write_text(HEAD + "deep: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert f"nesting is deeper than {MAX_DEPTH} levels (limit on nesting depth)" in _problem(tmp_path)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "instrument.yaml").write_text(HEAD + "# " + "x" * MAX_FILE_BYTES + "\n")
    assert f"the limit on file size is {MAX_FILE_BYTES:,} bytes" in _problem(tmp_path)
    home = tmp_path / "two"
    home.mkdir()
    (home / "instrument.yaml").write_text(HEAD + "include: [big.yaml]\n")
    (home / "big.yaml").write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    assert f"big.yaml: the file is {MAX_FILE_BYTES + 3:,} bytes; the limit on file size" in _problem(home)
