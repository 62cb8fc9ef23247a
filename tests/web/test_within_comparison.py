"""Two-attribute comparisons ("gender within licences"): the compare page's optional second
attribute and ``export_findings --within``. Every expected number is counted by hand from
the fixture's plan below, never by the code under test."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from caseassess.assessments import services
from caseassess.assessments.models import Status
from caseassess.inspections.services import case_add
from caseassess.reporting import selectors
from tests.web.conftest import client_for, run_jobs

pytestmark = pytest.mark.django_db

LICENCES = ("licence_determinate", "licence_indeterminate")
# (case ref, sentence type, gender, answer to B.4.1.1 "Was there a timely RoSH screening?")
PLAN = [
    ("W1", "licence_determinate", "male", "yes"),
    ("W2", "licence_indeterminate", "male", "no"),
    ("W3", "licence_determinate", "female", "yes"),
    ("W4", "community_order", "male", "yes"),
    ("W5", "community_order", "female", "no"),
    ("W6", "licence_determinate", "female", "yes"),
    ("W7", "suspended_sentence_order", "male", "no"),
]
# By hand, licences only (W1, W2, W3, W6): men W1 yes, W2 no -> 1 of 2 = 50%, N 2;
# women W3 yes, W6 yes -> 2 of 2 = 100%, N 2; all four: 3 of 4 = 75%.
# Without the restriction: men W1, W2, W4, W7 -> 2 of 4; women W3, W5, W6 -> 2 of 3 = 67%.
WITHIN_MEN, WITHIN_WOMEN, WITHIN_ALL = (50, 2), (100, 2), (75, 4)


@pytest.fixture
def cases(inspection: Any, users: dict[str, Any]) -> Any:
    for ref, sentence, gender, ans in PLAN:
        case = case_add(inspection=inspection, actor=users["lead"], case_ref=ref, assessor=users["assessor"],
                        details={"sentence_type": sentence, "gender": gender, "rosh_at_start": "low"})
        a = case.assessments.get()
        services.assessment_save_section(assessment=a, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": ans, "B.4.1.6": "na"},
                                         comments={}, base_versions={}, client_stamp=0)
        a.status = Status.SUBMITTED
        a.save()
    return inspection


def _hand_count(gender: str | None, sentences: tuple[str, ...] | None) -> tuple[int, int]:
    """(% yes, N) on B.4.1.1 over the plan, counted from the list itself."""
    picked = [ans for _, s, g, ans in PLAN if (gender is None or g == gender) and (sentences is None or s in sentences)]
    return round(100 * picked.count("yes") / len(picked)), len(picked)


def test_the_hand_counts_in_this_file_agree_with_the_plan() -> None:
    assert _hand_count("male", LICENCES) == WITHIN_MEN
    assert _hand_count("female", LICENCES) == WITHIN_WOMEN
    assert _hand_count(None, LICENCES) == WITHIN_ALL
    assert _hand_count("female", None) == (67, 3)  # the unrestricted comparison differs


def _url(cases: Any) -> str:
    return f"/findings/programmes/{cases.programme_id}/compare/"


WITHIN_QUERY = {"by": "gender", "a": "male", "b": "female", "within": "sentence_type", "within_shown": "sentence_type", "in": list(LICENCES)}


def test_the_compare_page_compares_gender_within_licences(cases: Any, users: dict[str, Any]) -> None:
    r = client_for(users["analyst"]).get(_url(cases), WITHIN_QUERY)
    html = r.content.decode()
    assert r.status_code == 200, html
    # People's words for the second attribute and its values, never the codes.
    assert "Findings by gender, only cases whose sentence type is Licence (determinate) or Licence (indeterminate)" in html
    assert "This comparison counts 4 cases" in html
    assert "licence_determinate</" not in html and ">sentence_type<" not in html
    row = html[html.index("B.4.1.1</span>"):]
    row = row[:row.index("</tr>")]
    cells = [c.split("<")[0] for c in row.split('govuk-table__cell--numeric">')[1:]]
    assert cells[:4] == [f"{WITHIN_MEN[0]}%", str(WITHIN_MEN[1]), f"{WITHIN_WOMEN[0]}%", str(WITHIN_WOMEN[1])]
    assert row.count("app-caution") == 2, "the small-numbers rule marks both percentages (N 2 < 10)"
    # The second attribute's values stay ticked, the compared attribute is not offered twice as a restriction.
    assert 'name="in" type="checkbox" value="licence_determinate" checked' in html
    assert 'name="in" type="checkbox" value="community_order" >' in html


def test_the_downloads_of_a_within_comparison_carry_the_hand_counted_numbers(cases: Any, users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    base = _url(cases) + "findings"
    rows = list(csv.DictReader(io.StringIO(c.get(base + ".csv", WITHIN_QUERY).content.decode())))
    row = next(r for r in rows if r["table"] == "gender" and r["id"] == "B.4.1.1")
    assert (row["pct_a"], row["n_a"], row["pct_b"], row["n_b"]) == tuple(str(x) for x in (*WITHIN_MEN, *WITHIN_WOMEN))
    data = json.loads(c.get(base + ".json", WITHIN_QUERY).content)
    assert data["total_cases"] == 4
    roh = next(s for s in data["scores"] if s["id"] == "risk_of_harm")
    assert (roh["cells"][0]["pct"], roh["cells"][0]["n"]) == WITHIN_ALL
    assert "only cases whose sentence type is Licence (determinate) or Licence (indeterminate)" in data["front"]["statuses"]
    # Annex 1 counts the licences only.
    annex = {(r["field"], v["value"]): v["n"] for r in data["annex"] for v in r["values"]}
    assert annex[("sentence_type", "licence_determinate")] == 3 and annex[("sentence_type", "licence_indeterminate")] == 1
    assert not annex.get(("sentence_type", "community_order")), "no community order is counted"
    assert annex[("gender", "male")] == 2 and annex[("gender", "female")] == 2


def test_without_the_restriction_the_same_comparison_counts_every_case(cases: Any, users: dict[str, Any]) -> None:
    c = client_for(users["analyst"])
    rows = list(csv.DictReader(io.StringIO(c.get(_url(cases) + "findings.csv", {"by": "gender", "a": "male", "b": "female"}).content.decode())))
    row = next(r for r in rows if r["table"] == "gender" and r["id"] == "B.4.1.1")
    assert (row["pct_a"], row["n_a"], row["pct_b"], row["n_b"]) == ("50", "4", "67", "3")


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"within": "gender", "within_shown": "gender", "in": ["male"]}, "within", "Choose a different case attribute to restrict the cases by: the comparison is already by gender"),
    ({"within": "sentence_type", "within_shown": "sentence_type", "in": ["licence_determinate", "parole"]}, "in", "Choose the values of sentence type to keep from the list"),
    ({"within": "sentence_type", "within_shown": "sentence_type"}, "in", "Choose at least one value of sentence type to keep"),
    ({"within": "ogrs_score", "in": ["12"]}, "within", "Choose the case attribute to restrict the cases by from the list"),
])
def test_a_bad_restriction_is_named_in_the_error_summary(cases: Any, users: dict[str, Any], query: dict[str, Any], field: str, message: str) -> None:
    r = client_for(users["analyst"]).get(_url(cases), {"by": "gender", "a": "male", "b": "female", **query})
    html = r.content.decode()
    assert r.status_code == 400
    start = html.index('class="govuk-error-summary"')
    summary = html[start:html.index("</ul>", start)]
    # The link takes the keyboard to the control itself: the select, or the first value's checkbox.
    assert f'href="#{ {"within": "within", "in": "in-1"}[field] }">{message}</a>' in summary
    assert f'id="{ {"within": "within", "in": "in-1"}[field] }"' in html
    assert "govuk-form-group--error" in html and "Table 3" not in html  # no report on a bad choice
    assert "parole" not in summary


def test_changing_the_second_attribute_shows_its_values_without_an_error(cases: Any, users: dict[str, Any]) -> None:
    # The ticked values were the earlier attribute's (the select changed): choose this one's.
    r = client_for(users["analyst"]).get(_url(cases), {"by": "gender", "a": "male", "b": "female", "within": "rosh_at_start",
                                                       "within_shown": "sentence_type", "in": list(LICENCES)})
    html = r.content.decode()
    assert r.status_code == 200 and "There is a problem" not in html and "Table 3" not in html
    assert "Only cases whose rosh at start is one of" in html and 'value="very_high"' in html


def test_export_findings_within_writes_the_hand_counted_numbers(cases: Any, tmp_path: Path) -> None:
    out = tmp_path / "within.csv"
    call_command("export_findings", "--programme", cases.programme.name, "--by", "gender", "--groups", "male,female",
                 "--within", "sentence_type=licence_determinate,licence_indeterminate", "--format", "csv", "--output", str(out), stdout=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    row = next(r for r in rows if r["table"] == "gender" and r["id"] == "B.4.1.1")
    assert (row["pct_a"], row["n_a"], row["pct_b"], row["n_b"]) == tuple(str(x) for x in (*WITHIN_MEN, *WITHIN_WOMEN))
    overall = next(r for r in rows if r["table"] == "overall" and r["id"] == "risk_of_harm")
    assert (overall["pct_a"], overall["n_a"]) == tuple(str(x) for x in WITHIN_ALL)
    js = tmp_path / "within.json"
    call_command("export_findings", "--programme", cases.programme.name, "--by", "gender", "--versus-all", "female",
                 "--within", "sentence_type=licence_determinate", "--format", "json", "--output", str(js), stdout=io.StringIO())
    data = json.loads(js.read_text())
    # Determinate licences only (W1 yes, W3 yes, W6 yes): women 2 of 2 beside all 3 of 3.
    table = data["tables"][0]
    b411 = next(r for r in table["rows"] if r["id"] == "B.4.1.1")
    assert [(c["pct"], c["n"]) for c in b411["cells"]] == [(100, 2), (100, 3)]
    assert data["total_cases"] == 3


@pytest.mark.parametrize(("within", "message"), [
    ("gender=male", "--within: the comparison is already by gender: restrict the cases by a different case detail"),
    ("sentence_type=parole", "--within: 'parole' is not a value of sentence_type (values: community_order, suspended_sentence_order, licence_determinate, licence_indeterminate)"),
    ("sentence_type=", "--within: choose at least one sentence type to keep"),
    ("sentence_type", "--within 'sentence_type': give FIELD=VALUE[,VALUE], e.g. sentence_type=licence_determinate,licence_indeterminate"),
    ("ogrs_score=12", "--within: 'ogrs_score' is not a single-choice case detail of"),
])
def test_export_findings_within_names_bad_input_in_one_line(cases: Any, tmp_path: Path, within: str, message: str) -> None:
    out = tmp_path / "x.csv"
    with pytest.raises(CommandError) as exc:
        call_command("export_findings", "--programme", cases.programme.name, "--by", "gender", "--groups", "male,female",
                     "--within", within, "--format", "csv", "--output", str(out), stdout=io.StringIO())
    assert str(exc.value).startswith(message) and "\n" not in str(exc.value)
    assert not out.exists(), "nothing written"


def test_export_findings_within_needs_by(cases: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--within needs --by FIELD"):
        call_command("export_findings", "--programme", cases.programme.name, "--within", "sentence_type=licence_determinate",
                     "--format", "csv", "--output", str(tmp_path / "x.csv"), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("query", ["report", "live"])
def test_the_within_queries_read_answers_and_assessments_from_covering_indexes(transactional_db: Any, cases: Any, query: str) -> None:
    """The report of a two-attribute comparison groups the answers of the cases within the second
    attribute once (``within_sql``: by area and the compared attribute at once, each case's values
    read once; ``answer_counts_live(within=…)``: by one attribute): the answers are read from ``answer_counts_cover`` and the counted
    assessment of each case from ``assessment_case_counted``, both without touching the table
    rows. (The cases' side reads each case row once: its details are JSON, which no fixed index
    covers for every field.)"""
    within = ("sentence_type", list(LICENCES))
    if query == "report":
        sql, params = selectors.within_sql(inspections=[cases], fields=["gender"], within=within, vendor=connection.vendor)

        def explain() -> str:
            with connection.cursor() as cur:
                cur.execute(("EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ") + sql, params)
                return "\n".join(" ".join(str(x) for x in row) for row in cur.fetchall())
    else:
        explain = selectors.live_grouped(selectors.live_answers(inspections=[cases], within=within), "gender").explain
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # Committed and vacuumed (the visibility map lets PostgreSQL skip the tables); tiny
            # test tables: turn off the sequential and bitmap scans so the planner shows its index choice.
            cur.execute("VACUUM ANALYZE assessments_answer")
            cur.execute("VACUUM ANALYZE assessments_assessment")
            cur.execute("SET enable_seqscan = off")
            cur.execute("SET enable_bitmapscan = off")
            try:
                plan = explain()
            finally:
                cur.execute("RESET enable_seqscan")
                cur.execute("RESET enable_bitmapscan")
        assert "Index Only Scan using answer_counts_cover" in plan, plan
        assert "Index Only Scan using assessment_case_counted" in plan, plan
    else:
        plan = explain()
        assert "COVERING INDEX answer_counts_cover" in plan, plan
        assert "COVERING INDEX assessment_case_counted" in plan, plan


def test_a_large_within_comparison_is_counted_by_the_background_worker(cases: Any, users: dict[str, Any], monkeypatch: Any) -> None:
    from caseassess.jobs.models import Job, JobKind
    from caseassess.reporting import counts

    monkeypatch.setattr(counts, "REBUILD_INLINE_MAX_CASES", 3)  # "large": more than 3 cases (licences: 4)
    c = client_for(users["analyst"])
    waiting = c.get(_url(cases), WITHIN_QUERY)
    assert waiting.status_code == 202 and "Counting the comparison" in waiting.content.decode()
    assert "4 cases" in waiting.content.decode()
    assert Job.objects.filter(kind=JobKind.WITHIN).count() == 1
    assert 'http-equiv="refresh"' not in waiting.content.decode(), "no timed reload (axe meta-refresh); htmx asks again"
    assert c.get(_url(cases), WITHIN_QUERY, headers={"HX-Request": "true", "HX-Trigger": "app-poll"}).status_code == 202  # still counting
    run_jobs()
    ready = c.get(_url(cases), WITHIN_QUERY, headers={"HX-Request": "true", "HX-Trigger": "app-poll"})
    assert (ready.status_code, ready["HX-Refresh"]) == (204, "true"), "the waiting page is told to load the comparison"
    r = c.get(_url(cases), WITHIN_QUERY)
    assert r.status_code == 200 and "This comparison counts 4 cases" in r.content.decode()
    rows = list(csv.DictReader(io.StringIO(c.get(_url(cases) + "findings.csv", WITHIN_QUERY).content.decode())))
    row = next(r for r in rows if r["table"] == "gender" and r["id"] == "B.4.1.1")
    assert (row["pct_a"], row["n_a"], row["pct_b"], row["n_b"]) == tuple(str(x) for x in (*WITHIN_MEN, *WITHIN_WOMEN))
    assert Job.objects.filter(kind=JobKind.WITHIN).count() == 1, "the page and its download share the task's counts"
    # A new licence case submitted: the counts are made again (the key follows the findings' state).
    case = case_add(inspection=cases, actor=users["lead"], case_ref="W8", assessor=users["assessor"],
                    details={"sentence_type": "licence_indeterminate", "gender": "female", "rosh_at_start": "low"})
    a = case.assessments.get()
    services.assessment_save_section(assessment=a, actor=users["assessor"], section_id="B.4.1", values={"B.4.1.1": "no"},
                                     comments={}, base_versions={}, client_stamp=0)
    a.status = Status.SUBMITTED
    a.save()
    assert c.get(_url(cases), WITHIN_QUERY).status_code == 202
    run_jobs()
    rows = list(csv.DictReader(io.StringIO(c.get(_url(cases) + "findings.csv", WITHIN_QUERY).content.decode())))
    row = next(r for r in rows if r["table"] == "gender" and r["id"] == "B.4.1.1")
    # By hand: women in licences now W3 yes, W6 yes, W8 no -> 2 of 3 = 67%.
    assert (row["pct_b"], row["n_b"]) == ("67", "3")
