"""Data exchange: the long-CSV import, findings exports and answer exports (CSV, SPSS)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.audit.models import AuditEvent
from caseassess.inspections.models import Case
from caseassess.reporting.dataexchange import spss_name
from caseassess.reporting.selectors import custom_dimension, findings_report, scope_instrument
from caseassess_core.findings.report import report_to_dict

pytestmark = pytest.mark.django_db

HEADER = "case_ref,question_id,answer,sentence_type,rosh_at_start,gender,report_type,area,fieldwork_date\n"
AREA = "Testshire Probation Trust"
GOOD = HEADER + "".join(
    f"{ref},{q},{a},{st},{rosh},{g},none,{AREA},2013-11-05\n"
    for ref, st, rosh, g, answers in [
        ("IMP-1", "community_order", "high", "male", [("B.4.1.1", "Yes"), ("B.4.1.6", "no"), ("D.2.2.8", "yes")]),
        ("IMP-2", "Licence (determinate)", "low", "Female", [("B.4.1.1", "YES"), ("B.4.1.6", "Not applicable"), ("D.2.2.8", "no")]),
        ("IMP-3", "community_order", "low", "male", [("B.4.1.1", "no"), ("B.4.1.6", "no"), ("A.1.1.4", "yes"), ("D.2.2.9", "=HYPERLINK(\"x\")")]),
    ]
    for q, a in answers
)


def run(*args: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_text(tmp_path: Path, text: str | bytes, name: str = "answers.csv") -> tuple[str, str]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return run("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(path))


def cells(data: dict[str, Any], table: str, qid: str) -> list[tuple[Any, Any]]:
    t = next(t for t in data["tables"] if t["id"] == table)
    row = next(r for r in [*t["rows"], *t["score_rows"]] if r["id"] == qid)
    return [(c["pct"], c["n"]) for c in row["cells"]]


def test_an_imported_file_counts_in_findings_with_labels_mapped_to_values(inspection: Any, tmp_path: Path) -> None:
    out, _ = import_text(tmp_path, GOOD)
    assert "3 new cases" in out and "10 new answers" in out
    assert Case.objects.filter(inspection=inspection).count() == 3
    assert set(Assessment.objects.values_list("status", "counts")) == {(Status.SUBMITTED, True)}
    assert Case.objects.get(case_ref="IMP-2").details == {"sentence_type": "licence_determinate", "rosh_at_start": "low", "gender": "female", "report_type": "none"}
    # A.1.1.4 applies only to standard or fast delivery reports: answered, but excluded.
    assert Answer.objects.get(question_id="A.1.1.4").scoring == "excluded"
    assert Answer.objects.get(question_id="B.4.1.6", assessment__case__case_ref="IMP-2").scoring == "excluded"
    ins = scope_instrument([inspection])
    dim = custom_dimension(field="gender", groups=["male", "female"], versus_all=None, instrument=ins)
    data = report_to_dict(findings_report(inspections=[inspection], title="t", dimensions=[dim]))
    assert cells(data, "gender", "B.4.1.1") == [(50, 2), (100, 1)]
    assert cells(data, "gender", "B.4.1.6") == [(0, 2), (None, 0)]
    roh = next(r for r in data["scores"] if r["id"] == "risk_of_harm")
    assert (roh["cells"][0]["pct"], roh["cells"][0]["n"]) == (40, 5)  # yes, no, yes, no, no; 'not applicable' left out
    assert data["total_cases"] == 3
    events = AuditEvent.objects.filter(action="import")
    assert events.count() == 3 and {e.case_id for e in events} == set(Case.objects.values_list("id", flat=True))


def test_importing_the_same_file_twice_creates_no_duplicates(inspection: Any, tmp_path: Path) -> None:
    import_text(tmp_path, GOOD)
    before = (Case.objects.count(), Assessment.objects.count(), list(Answer.objects.order_by("id").values_list("id", "value", "scoring", "version")))
    out, _ = import_text(tmp_path, GOOD)
    assert "0 new cases" in out and "0 new answers" in out and "0 changed answers" in out and "10 unchanged" in out
    after = (Case.objects.count(), Assessment.objects.count(), list(Answer.objects.order_by("id").values_list("id", "value", "scoring", "version")))
    assert after == before
    assert AuditEvent.objects.filter(action="import").count() == 3


def test_a_changed_answer_and_case_detail_update_in_place_and_rescore(inspection: Any, tmp_path: Path) -> None:
    import_text(tmp_path, GOOD)
    change = HEADER + f"IMP-3,B.4.1.1,yes,community_order,low,male,standard_delivery,{AREA},\n"
    out, _ = import_text(tmp_path, change, "change.csv")
    assert "1 cases with changed details" in out and "1 changed answers" in out
    a = Answer.objects.get(question_id="B.4.1.1", assessment__case__case_ref="IMP-3")
    assert (a.value, a.scoring, a.version) == ("yes", "sufficient", 2)
    # report_type is now a standard delivery report, so A.1.1.4 applies and counts.
    assert Answer.objects.get(question_id="A.1.1.4").scoring == "sufficient"
    assert AuditEvent.objects.filter(action="import", case_id=a.assessment.case_id).count() == 2


def test_findings_exported_after_an_import_that_changes_answers_show_the_new_numbers(inspection: Any, tmp_path: Path) -> None:
    import_text(tmp_path, GOOD)
    before = json.loads(export(tmp_path, "json").read_text())
    import_text(tmp_path, HEADER + f"IMP-3,B.4.1.1,yes,community_order,low,male,none,{AREA},\n", "change.csv")
    after = json.loads(export(tmp_path, "json").read_text())
    roh = [next(r for r in d["scores"] if r["id"] == "risk_of_harm")["cells"][0]["sufficient"] for d in (before, after)]
    assert roh == [2, 3]


def test_a_file_with_several_bad_rows_reports_each_row_and_writes_nothing(inspection: Any, tmp_path: Path) -> None:
    bad = (HEADER
           + f"BAD-1,B.4.1.1,yes,community_order,high,male,none,{AREA},2013-11-05\n"  # row 2: fine
           + f"BAD-1,X.9.9.9,yes,community_order,high,male,none,{AREA},2013-11-05\n"  # row 3: unknown question
           + f"BAD-2,B.4.1.1,maybe,community_order,low,male,none,{AREA},2013-11-05\n"  # row 4: answer not allowed
           + f"BAD-1,B.4.1.6,no,community_order,high,female,none,{AREA},2013-11-05\n"  # row 5: conflicting gender
           + "BAD-3,B.4.1.1,yes,community_order,low,male,none,Elsewhere Probation Trust,2014-03-01\n").encode()  # row 6: area, date
    bad += b"BAD-4,B.4.1.1,\xff\xfeyes,community_order,low,male,none,,\n"  # row 7: not UTF-8
    bad += f"BAD-5,B.4.1.1,yes,teenager,low,male,none,{AREA},2013-11-05\n".encode()  # row 8: case detail not allowed
    with pytest.raises(CommandError, match="nothing was imported"):
        import_text(tmp_path, bad)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(tmp_path / "answers.csv"), stderr=err, stdout=io.StringIO())
    lines = err.getvalue()
    assert "Row 3: unknown question id 'X.9.9.9'" in lines
    assert "Row 4: answer 'maybe' is not allowed for B.4.1.1" in lines
    assert "Row 5: case BAD-1 has gender 'female' here but 'male' on row 2 (conflicting case details)" in lines
    assert "Row 6: area 'Elsewhere Probation Trust' does not match" in lines and "Row 6: fieldwork_date 2014-03-01 is outside" in lines
    assert "Row 7: not UTF-8 text" in lines
    assert "Row 8, column sentence_type" in lines
    assert "Row 2" not in lines
    assert Case.objects.count() == 0 and Answer.objects.count() == 0 and AuditEvent.objects.filter(action="import").count() == 0


def test_missing_columns_a_wrong_instrument_and_an_unknown_inspection_are_refused(inspection: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="nothing was imported"):
        import_text(tmp_path, "case_ref,answer,shoe_size\nX-1,yes,9\n")
    err = io.StringIO()
    (tmp_path / "cols.csv").write_text("case_ref,answer,shoe_size\nX-1,yes,9\n")
    with pytest.raises(CommandError):
        call_command("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(tmp_path / "cols.csv"), stderr=err)
    assert "Row 1: missing column(s) question_id" in err.getvalue() and "Row 1: unknown column(s) shoe_size" in err.getvalue()
    with pytest.raises(CommandError, match="no instrument version 'iaow-2099'"):
        run("import_assessments", "--instrument", "iaow-2099", "--inspection", "IAOW Testshire", str(tmp_path / "cols.csv"))
    with pytest.raises(CommandError, match="no inspection named 'Nowhere'"):
        run("import_assessments", "--instrument", "mini-2013", "--inspection", "Nowhere", str(tmp_path / "cols.csv"))


def test_an_assessment_in_progress_in_the_application_is_not_overwritten(inspection: Any, assessment: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        import_text(tmp_path, HEADER + f"TST-0001,B.4.1.1,yes,community_order,high,male,none,{AREA},\n")
    assert Answer.objects.count() == 0


def export(tmp_path: Path, fmt: str, *extra: str) -> Path:
    path = tmp_path / f"findings.{fmt}"
    run("export_findings", "--programme", "IAOW test programme", *extra, "--format", fmt, "--output", str(path))
    return path


def test_findings_export_in_every_format_and_the_json_numbers_equal_the_csv_numbers(inspection: Any, tmp_path: Path) -> None:
    import_text(tmp_path, GOOD)
    by = ("--by", "gender", "--groups", "male,female")
    paths = {fmt: export(tmp_path, fmt, *by) for fmt in ("json", "csv", "xlsx", "pdf")}
    assert paths["xlsx"].read_bytes()[:2] == b"PK" and paths["pdf"].read_bytes()[:5] == b"%PDF-"
    data = json.loads(paths["json"].read_text())
    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text())))
    (table,) = data["tables"]
    assert table["id"] == "gender" and [g["label"] for g in table["groups"]] == ["Male", "Female"]
    compared = 0
    for row in [*table["score_rows"], *table["rows"]]:
        line = next(r for r in rows if r["table"] == "gender" and r["id"] == row["id"])
        a, b = row["cells"]
        test = row["test"] or {}
        as_text = [str(v) if v is not None else "" for v in (a["pct"], a["n"], b["pct"], b["n"], test.get("p"), test.get("stars", ""))]
        # the "not significant" mark "--" is written as it is, not guarded like a formula
        assert [line["pct_a"], line["n_a"], line["pct_b"], line["n_b"], line["p"], line["stars"]] == as_text
        compared += 1
    assert compared >= 4
    assert {r["id"] for r in rows if r["table"] == "overall"} == {s["id"] for s in data["scores"]}
    standard = json.loads(export(tmp_path, "json").read_text())
    assert [t["id"] for t in standard["tables"]][:2] == ["rosh", "supervision"]
    versus = json.loads(export(tmp_path, "json", "--by", "rosh_at_start", "--versus-all", "high+very_high").read_text())
    assert versus["tables"][0]["comparison"] == "versus_all"


def test_findings_export_names_unknown_programmes_fields_and_values(inspection: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no programme named 'Nope'"):
        run("export_findings", "--programme", "Nope", "--format", "json", "--output", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="no inspection named 'Nope' in IAOW test programme"):
        export(tmp_path, "json", "--inspection", "Nope")
    with pytest.raises(CommandError, match="'shoe_size' is not a case-detail field"):
        export(tmp_path, "json", "--by", "shoe_size", "--groups", "a,b")
    with pytest.raises(CommandError, match="'martian' is not a value of gender"):
        export(tmp_path, "json", "--by", "gender", "--groups", "male,martian")
    with pytest.raises(CommandError, match="two groups"):
        export(tmp_path, "json", "--by", "gender")


def answers_export(tmp_path: Path, shape: str, fmt: str) -> Path:
    path = tmp_path / f"answers-{shape}.{fmt}"
    run("export_answers", "--programme", "IAOW test programme", "--shape", shape, "--format", fmt, "--output", str(path))
    return path


def test_long_and_wide_csv_carry_every_answer_and_formula_cells_as_text(inspection: Any, tmp_path: Path) -> None:
    import_text(tmp_path, GOOD)
    long = list(csv.DictReader(answers_export(tmp_path, "long", "csv").open(encoding="utf-8")))
    assert len(long) == Answer.objects.count() == 10
    assert list(long[0]) == ["inspection", "area", "case_ref", "question_id", "value", "scoring"]
    got = {(r["case_ref"], r["question_id"]): (r["value"], r["scoring"]) for r in long}
    assert got[("IMP-2", "B.4.1.6")] == ("na", "excluded")
    assert got[("IMP-3", "D.2.2.9")] == ("'=HYPERLINK(\"x\")", "")
    wide = list(csv.DictReader(answers_export(tmp_path, "wide", "csv").open(encoding="utf-8")))
    assert [r["case_ref"] for r in wide] == ["IMP-1", "IMP-2", "IMP-3"]
    assert wide[1]["gender"] == "female" and wide[1]["B.4.1.1"] == "yes" and wide[1]["A.1.1.4"] == ""
    assert wide[2]["D.2.2.9"] == "'=HYPERLINK(\"x\")"
    # The long export imports back into its inspection without changing anything.
    out, _ = run("import_assessments", "--instrument", "mini-2013", "--inspection", "IAOW Testshire", str(tmp_path / "answers-long.csv"))
    assert "0 new answers" in out and "0 changed answers" in out


def test_spss_files_read_back_with_values_variable_labels_and_value_labels(inspection: Any, tmp_path: Path) -> None:
    import pyreadstat

    import_text(tmp_path, GOOD)
    df, meta = pyreadstat.read_sav(str(answers_export(tmp_path, "wide", "sav")))
    assert "B_4_1_6" in meta.column_names and "B.4.1.6" not in meta.column_names
    assert meta.column_names_to_labels["B_4_1_6"] == "B.4.1.6 Was there a sufficient RoH analysis?"
    assert meta.variable_value_labels["B_4_1_6"] == {"yes": "Yes", "no": "No", "na": "Not applicable"}
    assert meta.variable_value_labels["gender"] == {"male": "Male", "female": "Female"}
    by_ref = {r["case_ref"]: r for r in df.to_dict("records")}
    assert by_ref["IMP-2"]["B_4_1_6"] == "na" and by_ref["IMP-2"]["sentence_type"] == "licence_determinate"
    assert by_ref["IMP-1"]["B_4_1_1"] == "yes" and by_ref["IMP-1"]["A_1_1_4"] == ""
    assert meta.readstat_variable_types["ogrs_score"] == "double" and meta.readstat_variable_types["gender"] == "string"
    df2, meta2 = pyreadstat.read_sav(str(answers_export(tmp_path, "long", "sav")))
    assert len(df2) == 10 and meta2.column_names == ["inspection", "area", "case_ref", "question_id", "value", "scoring"]
    assert set(df2["scoring"]) == {"sufficient", "insufficient", "excluded", ""}


def test_spss_names_are_safe_unique_and_short() -> None:
    taken: set[str] = set()
    assert spss_name("B.4.1.6", taken) == "B_4_1_6"
    assert spss_name("B-4-1-6", taken) == "B_4_1_6_2"
    assert spss_name("18_24", taken) == "v_18_24"
    assert spss_name("with", taken) == "with_"
    assert len(spss_name("x" * 100, taken)) == 64
