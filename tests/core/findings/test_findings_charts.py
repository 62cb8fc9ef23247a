"""Accessible SVG charts: role, title, desc, viewBox, escaping and the right bars."""

import re
import xml.etree.ElementTree as ET

import pytest
from golden_programme import AREAS, SUPERVISION, instrument

from caseassess_core.findings import CountRow, GroupSpec, area_ranges, area_scores, question_table
from caseassess_core.findings.charts import chart1_svg, chart2_svg, comparison_svg, grouped_bar_svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg):
    root = ET.fromstring(svg)  # well-formed XML, so every text was escaped
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 480 [0-9.]+", root.get("viewBox"))
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root, title.text, desc.text


def _bars(root):
    return [e for e in root.iter(f"{NS}rect") if e.get("class") == "bar"]


def test_chart_1_has_one_bar_and_one_range_whisker_per_score():
    svg = chart1_svg(area_ranges(instrument(), AREAS), title="Chart 1: scores")
    root, title, desc = _parse(svg)
    assert title == "Chart 1: scores"
    assert len(_bars(root)) == 4
    assert len([g for g in root.iter(f"{NS}g") if g.get("class") == "range"]) == 4
    # the text summary carries every number shown
    assert "Risk of Harm: 56% (range between areas 40% to 70%)" in desc
    assert "Compliance & <Enforcement>: 61%" in desc  # escaped in the markup, intact once parsed
    assert "&lt;Enforcement&gt;" in svg and "<Enforcement>" not in svg
    # bar length is proportional to the score: 56% of the 0-100 scale
    widths = [float(b.get("width")) for b in _bars(root)]
    assert widths[0] / widths[3] == pytest.approx(56 / 65)


def test_chart_1_draws_no_whisker_with_a_single_area_and_no_bar_without_cases():
    rows = [CountRow("B.1.1.1", "North", "sufficient", 1)]
    root, _, desc = _parse(chart1_svg(area_ranges(instrument(), rows)))
    # only B.1.1.1 answered: roh and ga1 have bars; compliance (C.2.1.1 + B.1.1.2) and ga2 have none
    assert len(_bars(root)) == 2
    assert not [g for g in root.iter(f"{NS}g") if g.get("class") == "range"]
    assert "Compliance & <Enforcement>: no cases" in desc


def test_chart_2_has_a_bar_per_area_and_headline_score():
    chart = area_scores(instrument(), AREAS, ["South", "North"])
    root, title, desc = _parse(chart2_svg(chart))
    assert len(_bars(root)) == 2 * 2
    assert title.startswith("Headline scores")
    assert desc.endswith(
        "South: Risk of Harm 40% (N=20), Compliance & <Enforcement> 45% (N=20); "
        "North: Risk of Harm 70% (N=20), Compliance & <Enforcement> 75% (N=20)."
    )


def test_every_bar_has_its_n_beside_it_with_the_caution_mark_below_the_minimum():
    chart = area_scores(instrument(), AREAS, ["South", "North"])
    svg = chart2_svg(chart, min_n=25)
    texts = [t.text for t in ET.fromstring(svg).iter(f"{NS}text")]
    assert "40%\u2020 (N=20)" in texts and "75%\u2020 (N=20)" in texts
    assert "40% (N=20)" in [t.text for t in ET.fromstring(chart2_svg(chart, min_n=10)).iter(f"{NS}text")]


def test_a_chart_of_areas_is_not_drawn_for_a_single_area():
    rows = [CountRow("B.1.1.1", "North", "sufficient", 3)]
    assert chart2_svg(area_scores(instrument(), rows, ["North"])) == ""


def test_grid_lines_never_cross_the_labels_above_the_bars():
    root, _, _ = _parse(chart1_svg(area_ranges(instrument(), AREAS)))
    label_rows = [float(t.get("y")) for t in root.iter(f"{NS}text") if t.get("font-weight") in ("bold", "normal")
                  and not t.text.endswith(")")]
    grid = [(float(g.get("y1")), float(g.get("y2"))) for g in root.iter(f"{NS}line") if g.get("class") == "grid"]
    assert grid
    for y in label_rows:
        # a label's glyphs occupy roughly y-15..y+4
        assert not any(y1 < y + 4 and y2 > y - 15 for y1, y2 in grid), y


def test_the_comparison_chart_has_a_bar_per_group_and_score_and_skips_empty_groups():
    table = question_table(
        instrument(),
        SUPERVISION,
        [GroupSpec("Community orders", ("community",)), GroupSpec("Licences", ("licence_determinate",))],
        "a_vs_b",
        table_id="t7",
    )
    root, title, desc = _parse(comparison_svg(table))
    # 4 scores x 2 groups; every cell has cases here
    assert len(_bars(root)) == 8
    assert title == "General criteria and headline scores: Community orders and Licences"
    assert root.find(f"{NS}title").get("id") == "chart-t7-title"


def test_missing_values_are_labelled_instead_of_drawn():
    svg = grouped_bar_svg(["A <b>"], [("One", [50]), ("Two", [None])], title='Quotes " & <tags>')
    root, title, desc = _parse(svg)
    assert title == 'Quotes " & <tags>'
    assert len(_bars(root)) == 1
    assert desc == "Percentage of work done sufficiently well. A <b>: One 50%, Two no cases."


def test_series_must_match_the_categories():
    with pytest.raises(ValueError, match=r"series 'One' has 1 values for 2 categories"):
        grouped_bar_svg(["A", "B"], [("One", [50])], title="t")


def test_value_labels_beside_the_bars_are_backed_so_no_grid_line_runs_through_them():
    children = list(ET.fromstring(chart1_svg(area_ranges(instrument(), AREAS))))
    labels = [i for i, el in enumerate(children) if el.tag == f"{NS}text" and "(N=" in (el.text or "")]
    assert len(labels) == 4
    for i in labels:
        if children[i].get("text-anchor") == "end":
            continue  # inside the bar, on the bar colour
        backing = children[i - 1]
        assert backing.tag == f"{NS}rect" and backing.get("class") == "label-bg" and backing.get("fill") == "#ffffff"
        grid = [k for k, g in enumerate(children[:i]) if g.get("class") == "grid"]
        assert grid and grid[-1] < i - 1  # the grid is drawn first, the backing over it
