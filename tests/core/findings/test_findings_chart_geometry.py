"""Chart geometry: every bar measured against its percentage, by hand.

The charts are 480 units wide with a 6-unit margin; the plot runs from x = 6 (0%) to
x = 424 (100%, leaving 56 units for the value label), so 1% is 418 / 100 = 4.18 units:

    0% -> 6    20% -> 89.6    25% -> 110.5    50% -> 215    75% -> 319.5    100% -> 424

Rows are laid out top to bottom: a 21-unit line per label line, a 4-unit gap, a 24-unit
bar, then 14 units before the next row. Value labels are 17 units bold in Chart 1
(0.66 x 17 = 11.22 units a character) and 15 units in grouped charts (0.6 x 15 = 9 a
character); a label goes right of the bar (7 units after its end, on a white backing from
4 units after it) unless it would pass x = 474, when it goes inside the bar, white and
right-aligned 6 units before the bar's end. Every coordinate below is worked out from
these rules, not read from the code.
"""

import xml.etree.ElementTree as ET

import pytest

from caseassess_core.findings.areas import AreaChart, AreaScores, ScoreRange
from caseassess_core.findings.charts import chart1_svg, chart2_svg, comparison_svg, grouped_bar_svg
from caseassess_core.findings.tables import Cell, Comparison, FindingsTable, GroupSpec, Row

NS = "{http://www.w3.org/2000/svg}"
BLUE, DARK_BLUE, ORANGE, GREY, BLACK, WHITE = "#1d70b8", "#003078", "#f47738", "#505a5f", "#0b0c0c", "#ffffff"


def _tag(el):
    return el.tag.replace(NS, "")


def _num(v):
    return float(v) if v is not None else None


def _bars(root):
    return [
        (_num(r.get("x")), _num(r.get("y")), _num(r.get("width")), _num(r.get("height")), r.get("fill"))
        for r in root.iter(f"{NS}rect")
        if r.get("class") == "bar"
    ]


def _backings(root):
    return [
        (_num(r.get("x")), _num(r.get("y")), _num(r.get("width")), _num(r.get("height")), r.get("fill"))
        for r in root.iter(f"{NS}rect")
        if r.get("class") == "label-bg"
    ]


def _texts(root):
    """Every text as (x, y, text, fill, other attributes)."""
    out = []
    for t in root.iter(f"{NS}text"):
        attrs = {k: v for k, v in t.attrib.items() if k not in ("x", "y", "fill")}
        out.append((_num(t.get("x")), _num(t.get("y")), t.text, t.get("fill"), attrs))
    return out


def _grid(root):
    return [
        (
            _num(g.get("x1")), _num(g.get("y1")), _num(g.get("x2")), _num(g.get("y2")),
            g.get("stroke"), g.get("stroke-width"), g.get("stroke-dasharray"),
        )
        for g in root.iter(f"{NS}line")
        if g.get("class") == "grid"
    ]


def _grid_for(bands):
    """Tick lines at 0, 25, 50, 75, 100% across each band: solid 1-unit at 0, dashed half-unit after."""
    out = []
    for x, width, dash in ((6, "1", "none"), (110.5, "0.5", "2 3"), (215, "0.5", "2 3"),
                           (319.5, "0.5", "2 3"), (424, "0.5", "2 3")):
        out += [(x, y0, x, y1, GREY, width, dash) for y0, y1 in bands]
    return out


def _ticks(y):
    return [
        (6, y, "0%", BLACK, {"text-anchor": "start", "font-size": "15"}),
        (110.5, y, "25%", BLACK, {"text-anchor": "middle", "font-size": "15"}),
        (215, y, "50%", BLACK, {"text-anchor": "middle", "font-size": "15"}),
        (319.5, y, "75%", BLACK, {"text-anchor": "middle", "font-size": "15"}),
        (424, y, "100%", BLACK, {"text-anchor": "end", "font-size": "15"}),
    ]


def _score(kind, title, cell, lo=None, hi=None, n_areas=0):
    return ScoreRange(kind, title[:3].lower(), title, cell, lo, hi, None, None, n_areas)


def _chart1_ranges():
    return [
        # headline 5/10 = 50%, areas from 25% to 75% (two areas: a whisker)
        _score("headline", "Risk of Harm", Cell(5, 10, 50, None, None), 25, 75, 2),
        # general 2/10 = 20%, one area only (no whisker although min and max are set)
        _score("general", "Assessment", Cell(2, 10, 20, None, None), 20, 20, 1),
        # general 1,234/1,234 = 100%: the label cannot fit to the right, so it goes inside
        _score("general", "Outcomes", Cell(1234, 1234, 100, None, None)),
        # no cases: no bar, "no cases" at 0%
        _score("general", "Delivery", Cell(0, 0, None, None, None)),
    ]


def test_chart_1_bars_labels_whiskers_and_grid_are_where_the_percentages_put_them():
    svg = chart1_svg(_chart1_ranges(), title="Chart 1", chart_id="c1")
    root = ET.fromstring(svg)
    # rows: label line y = 6 + 21 = 27, bar 31..55; next label 55 + 14 + 21 = 90, bar 94..118;
    # next label 118 + 14 + 21 = 153, bar 157..181; last label 181 + 14 + 21 = 216, band 220..244;
    # the plot ends at 244 + 14 = 258, tick labels at 258 + 21 = 279, height 279 + 6 = 285
    assert root.get("viewBox") == "0 0 480 285"
    assert root.get("font-size") == "17" and root.get("font-family") == "arial, sans-serif"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{NS}title").get("id") == "c1-title" and root.find(f"{NS}desc").get("id") == "c1-desc"
    # bar widths: 50% -> 4.18 x 50 = 209; 20% -> 83.6; 100% -> 418; headline blue, general dark blue
    assert _bars(root) == [
        (6, 31, 209, 24, BLUE),
        (6, 94, 83.6, 24, DARK_BLUE),
        (6, 157, 418, 24, DARK_BLUE),
    ]
    # whisker from 25% (110.5) to 75% (319.5) at the bar's middle (31 + 12 = 43), end caps 34..52,
    # drawn twice: a 4-unit white halo then a 2-unit black line
    ranges = [g for g in root.iter(f"{NS}g") if g.get("class") == "range"]
    assert len(ranges) == 1 and ranges[0].get("stroke-linecap") == "square"
    halo, line = list(ranges[0])
    assert (halo.get("stroke"), halo.get("stroke-width")) == (WHITE, "4")
    assert (line.get("stroke"), line.get("stroke-width")) == (BLACK, "2")
    expected_whisker = [(110.5, 43, 319.5, 43), (110.5, 34, 110.5, 52), (319.5, 34, 319.5, 52)]
    for group in (halo, line):
        assert [tuple(_num(ln.get(a)) for a in ("x1", "y1", "x2", "y2")) for ln in group] == expected_whisker
    bold, normal = {"font-weight": "bold"}, {"font-weight": "normal"}
    assert _texts(root) == _ticks(279) + [
        (6, 27, "Risk of Harm", BLACK, bold),  # the headline score's title is bold
        # label 7 units right of the whisker's end (319.5 + 7), 24 units above the bar's bottom less 7
        (326.5, 48, "50% (N=10)", BLACK, bold),
        (6, 90, "Assessment", BLACK, normal),
        (96.6, 111, "20% (N=10)", BLACK, bold),  # 89.6 + 7
        (6, 153, "Outcomes", BLACK, normal),
        # "100% (N=1,234)" is 14 x 11.22 = 157.08 wide: 424 + 7 + 157.08 > 474, so inside, ending at 424 - 6
        (418, 174, "100% (N=1,234)", WHITE, {"text-anchor": "end", "font-weight": "bold"}),
        (6, 216, "Delivery", BLACK, normal),
        (13, 237, "no cases", BLACK, bold),  # at 0%: 6 + 7
    ]
    # backings: 4 units after the end, from the label's baseline - 24 + 7 - 2, 28 high,
    # label width + 6 wide (10 x 11.22 + 6 = 118.2; "no cases" 8 x 11.22 + 6 = 95.76)
    assert _backings(root) == pytest.approx([
        (323.5, 29, 118.2, 28, WHITE),
        (93.6, 92, 118.2, 28, WHITE),
        (10, 218, 95.76, 28, WHITE),
    ])
    # the grid runs only across the bar bands, never across the labels above them
    assert _grid(root) == _grid_for([(31, 55), (94, 118), (157, 181), (220, 244)])
    assert root.find(f"{NS}desc").text == (
        "Percentage of work done sufficiently well. Risk of Harm: 50% (range between areas 25% to 75%) (N=10); "
        "Assessment: 20% (N=10); Outcomes: 100% (N=1,234); Delivery: no cases."
    )


def test_a_long_score_title_wraps_at_46_characters_and_pushes_its_bar_down():
    # "Assessment and sentence planning of the public" is exactly 46 characters: it stays on one
    # line; " safety" would make 53, so it starts the second line
    title = "Assessment and sentence planning of the public safety"
    root = ET.fromstring(chart1_svg([_score("general", title, Cell(1, 4, 25, None, None))], area_word="regions"))
    texts = _texts(root)
    assert texts[5:7] == [
        (6, 27, "Assessment and sentence planning of the public", BLACK, {"font-weight": "normal"}),
        (6, 48, "safety", BLACK, {"font-weight": "normal"}),
    ]
    # two label lines: the bar starts at 6 + 21 + 21 + 4 = 52; 25% -> 104.5 wide
    assert _bars(root) == [(6, 52, 104.5, 24, DARK_BLUE)]
    assert root.find(f"{NS}title").text == "Headline and general criteria scores, with the range between regions"
    # plot ends 52 + 24 + 14 = 90, ticks at 111, height 117
    assert root.get("viewBox") == "0 0 480 117"
    assert texts[0][:3] == (6, 111, "0%")


def test_a_label_that_fits_beside_its_bar_stays_outside_and_one_that_does_not_goes_inside():
    # grouped bars: 15-unit labels, 9 units a character: the label fits when
    # bar end + 7 + 9 x characters <= 474.
    # 80% -> 340.4; "80% (N=1)" is 9 characters = 81: 340.4 + 7 + 81 = 428.4 fits (outside)
    # 100% with "100% (N=12)" (11 characters = 99): 424 + 7 + 99 = 530, inside at 424 - 6 = 418
    root = ET.fromstring(grouped_bar_svg(["A"], [("One", [80]), ("Two", [100])], title="t", counts=[[1], [12]]))
    labels = [t for t in _texts(root) if t[2].endswith(")")]
    assert labels == [
        (347.4, 81, "80% (N=1)", BLACK, {"font-size": "15"}),
        (418, 109, "100% (N=12)", WHITE, {"text-anchor": "end", "font-size": "15"}),
    ]


def _grouped():
    return grouped_bar_svg(
        ["Risk of Harm", "Assessment"],
        [("Community orders", [50, None]), ("Licences", [100, 20])],
        title="Comparison",
        chart_id="cmp",
        counts=[[10, 0], [1234, 5]],
        min_n=6,
    )


def test_grouped_bars_legend_bars_labels_and_grid_by_hand():
    root = ET.fromstring(_grouped())
    # legend at y = 6: swatch 16 x 16 at y + 3 = 9, name at x + 22, baseline y + 17 = 23;
    # "Community orders" takes 24 + 9.5 x 16 = 176 + 12, so "Licences" starts at 6 + 188 = 194
    swatches = [
        (_num(r.get("x")), _num(r.get("y")), r.get("width"), r.get("height"), r.get("fill"))
        for r in root.iter(f"{NS}rect")
        if r.get("class") is None
    ]
    assert swatches == [(6, 9, "16", "16", BLUE), (194, 9, "16", "16", ORANGE)]
    # categories: the legend takes 21 + 12 -> 39; "Risk of Harm" at 39 + 21 = 60, bars 64 and 92
    # (24 + 4 apart); band 64..116; "Assessment" at 116 + 4 + 14 + 21 = 155, bars 159 and 187,
    # band 159..211; plot ends 211 + 4 + 14 = 229, ticks at 250, height 256
    assert root.get("viewBox") == "0 0 480 256"
    assert _bars(root) == [
        (6, 64, 209, 24, BLUE),  # 50%
        (6, 92, 418, 24, ORANGE),  # 100%
        (6, 187, 83.6, 24, ORANGE),  # 20%; Community orders has no cases here: no bar
    ]
    assert [t.text for r in root.iter(f"{NS}rect") if r.get("class") == "bar" for t in r] == [
        "Risk of Harm, Community orders: 50%",
        "Risk of Harm, Licences: 100%",
        "Assessment, Licences: 20%",
    ]
    small = {"font-size": "15"}
    assert _texts(root) == [
        (28, 23, "Community orders", BLACK, {}),
        (216, 23, "Licences", BLACK, {}),
    ] + _ticks(250) + [
        (6, 60, "Risk of Harm", BLACK, {"font-weight": "bold"}),
        (222, 81, "50% (N=10)", BLACK, small),  # 215 + 7
        (418, 109, "100% (N=1,234)", WHITE, {"text-anchor": "end", "font-size": "15"}),  # 14 x 9 = 126: inside
        (6, 155, "Assessment", BLACK, {"font-weight": "bold"}),
        (13, 176, "no cases", BLACK, small),
        # N = 5 is below the minimum of 6: the caution mark
        (96.6, 204, "20%\u2020 (N=5)", BLACK, small),
    ]
    # backings: label width 9 per character + 6; "no cases" 8 x 9 + 6 = 78
    assert _backings(root) == pytest.approx([
        (219, 62, 96, 28, WHITE),
        (10, 157, 78, 28, WHITE),
        (93.6, 185, 96, 28, WHITE),
    ])
    assert _grid(root) == _grid_for([(64, 116), (159, 211)])
    assert root.find(f"{NS}desc").text == (
        "Percentage of work done sufficiently well. Risk of Harm: Community orders 50% (N=10), "
        "Licences 100% (N=1,234); Assessment: Community orders no cases, Licences 20% (N=5)."
    )
    assert root.get("aria-labelledby") == "cmp-title cmp-desc"


def test_a_legend_that_does_not_fit_wraps_and_the_colours_cycle_through_four():
    # 20-character names take 24 + 190 = 214 + 12: x = 6, 232, then 458 + 214 > 474 wraps to the
    # next legend line (y = 6 + 21 + 4 = 31); the fifth series takes the first colour again
    names = [f"{c * 20}" for c in "ABCDE"]
    root = ET.fromstring(grouped_bar_svg(["Q"], [(n, [10]) for n in names], title="t"))
    swatches = [(_num(r.get("x")), _num(r.get("y")), r.get("fill")) for r in root.iter(f"{NS}rect")
                if r.get("class") is None]
    assert swatches == [(6, 9, BLUE), (232, 9, ORANGE), (6, 34, DARK_BLUE), (232, 34, GREY), (6, 59, BLUE)]
    assert [b[4] for b in _bars(root)] == [BLUE, ORANGE, DARK_BLUE, GREY, BLUE]
    # the categories start below the third legend line: 56 + 21 + 12 = 89, label at 110, first bar 114
    assert _bars(root)[0][:2] == (6, 114)


def test_chart_2_passes_each_area_its_n_and_the_callers_wording():
    cell = Cell
    chart = AreaChart(
        scores=(("roh", "Risk of Harm"), ("com", "Compliance")),
        areas=(
            AreaScores("South", (cell(2, 4, 50, None, None), cell(3, 4, 75, None, None))),
            AreaScores("North", (cell(1, 4, 25, None, None), cell(0, 0, None, None, None))),
        ),
    )
    root = ET.fromstring(chart2_svg(chart, area_word="regions", chart_id="c2", min_n=4))
    assert root.find(f"{NS}title").text == "Headline scores for each of the regions, in order of fieldwork"
    assert root.find(f"{NS}title").get("id") == "c2-title"
    # N = 4 is not below the minimum of 4: no caution mark
    assert root.find(f"{NS}desc").text == (
        "Percentage of work done sufficiently well. South: Risk of Harm 50% (N=4), Compliance 75% (N=4); "
        "North: Risk of Harm 25% (N=4), Compliance no cases."
    )
    assert [b[2:] for b in _bars(root)] == [(209, 24, BLUE), (313.5, 24, ORANGE), (104.5, 24, BLUE)]
    assert chart2_svg(chart, title="Own title").count("<title id=\"chart2-title\">Own title</title>") == 1


def test_the_comparison_chart_names_both_groups_and_uses_the_table_id():
    def row(label, a, b):
        return Row("headline", label[:3], label, (a, b), None)

    table = FindingsTable(
        id="t9",
        title="Table 9",
        comparison=Comparison.A_VS_B,
        groups=(GroupSpec("Men"), GroupSpec("Women")),
        rows=(),
        score_rows=(row("Risk of Harm", Cell(3, 4, 75, None, None), Cell(1, 4, 25, None, None)),),
    )
    root = ET.fromstring(comparison_svg(table, min_n=5))
    assert root.find(f"{NS}title").text == "General criteria and headline scores: Men and Women"
    assert root.get("aria-labelledby") == "chart-t9-title chart-t9-desc"
    assert root.find(f"{NS}desc").text == (
        "Percentage of work done sufficiently well. Risk of Harm: Men 75% (N=4), Women 25% (N=4)."
    )
    assert [t.text for t in root.iter(f"{NS}text") if "(N=" in t.text] == ["75%\u2020 (N=4)", "25%\u2020 (N=4)"]
    assert [b[2:] for b in _bars(root)] == [(313.5, 24, BLUE), (104.5, 24, ORANGE)]
    untitled = FindingsTable("", "", Comparison.A_VS_B, table.groups, (), table.score_rows)
    assert ET.fromstring(comparison_svg(untitled)).get("aria-labelledby") == "chart-comparison-title chart-comparison-desc"
    assert ET.fromstring(comparison_svg(untitled, chart_id="own", title="Own")).find(f"{NS}title").text == "Own"


def test_default_chart_ids_and_titles():
    ranges = [_score("headline", "Risk of Harm", Cell(5, 10, 50, None, None))]
    root = ET.fromstring(chart1_svg(ranges))
    assert root.get("aria-labelledby") == "chart1-title chart1-desc"
    assert root.find(f"{NS}title").text == "Headline and general criteria scores, with the range between areas"
    root = ET.fromstring(grouped_bar_svg(["A"], [("One", [10])], title="t"))
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    chart = AreaChart(scores=(("roh", "Risk of Harm"),), areas=(
        AreaScores("South", (Cell(2, 4, 50, None, None),)), AreaScores("North", (Cell(1, 4, 25, None, None),))))
    root = ET.fromstring(chart2_svg(chart))
    assert root.get("aria-labelledby") == "chart2-title chart2-desc"
    assert root.find(f"{NS}title").text == "Headline scores for each of the areas, in order of fieldwork"


def _legend(names):
    root = ET.fromstring(grouped_bar_svg(["Q"], [(n, [10]) for n in names], title="t"))
    return [(_num(r.get("x")), _num(r.get("y"))) for r in root.iter(f"{NS}rect") if r.get("class") is None]


def test_a_legend_entry_ending_exactly_at_the_margin_stays_and_half_a_unit_more_wraps():
    # seven names of 3, 3, 3, 3, 4, 4, 4 letters: each entry is 24 + 9.5 x letters wide and the next
    # starts 12 after it: 6, 6 + 52.5 + 12 = 70.5, 135, 199.5, 264, 264 + 62 + 12 = 338, 412; the
    # seventh ends at 412 + 62 = 474, exactly at 480 - 6, and stays on the line
    assert _legend(["Aaa", "Bbb", "Ccc", "Ddd", "Eeee", "Ffff", "Gggg"]) == [
        (6, 9), (70.5, 9), (135, 9), (199.5, 9), (264, 9), (338, 9), (412, 9)]
    # 20 + 23 letters: the second entry starts at 6 + 214 + 12 = 232 and would end at 474.5: it wraps
    assert _legend(["A" * 20, "B" * 23]) == [(6, 9), (6, 34)]
    # an entry too wide for the line on its own still starts on the first line
    assert _legend(["C" * 50]) == [(6, 9)]


def test_a_chart_without_categories_draws_only_its_axis():
    root = ET.fromstring(grouped_bar_svg([], [], title="Nothing to compare"))
    # no legend and no rows: the plot starts and ends at 6 + 21 + 12 = 39; ticks at 60; height 66
    assert root.get("viewBox") == "0 0 480 66"
    assert _grid(root) == _grid_for([(39, 39)])
    assert _texts(root) == _ticks(60)
    assert root.find(f"{NS}desc").text == "Percentage of work done sufficiently well. ."


def test_labels_near_the_right_margin():
    # 89% ends at 6 + 372.02 = 378.02; "89% (N=10)" is 90 wide: 378.02 + 7 + 90 = 475.02 > 474 -> inside,
    # white, ending 6 before the bar's end (372.02)
    # 80% ends at 340.4; "80% (N=12,345)" is 14 x 9 = 126 wide: 340.4 + 7 + 126 = 473.4 <= 474 -> outside
    root = ET.fromstring(grouped_bar_svg(["A"], [("One", [89]), ("Two", [80])], title="t", counts=[[10], [12345]]))
    labels = [t for t in _texts(root) if t[2].endswith(")")]
    assert [(t[0], t[2], t[3], t[4].get("text-anchor")) for t in labels] == [
        (pytest.approx(372.02), "89% (N=10)", WHITE, "end"),
        (pytest.approx(347.4), "80% (N=12,345)", BLACK, None),
    ]


def test_a_label_that_cannot_follow_the_whisker_goes_inside_its_own_bar():
    # 90% (bar to 382.2) with areas from 80% to 100%: the whisker ends at 424, and 424 + 7 + 112.2 > 474,
    # so the bold label goes inside the bar, ending 6 before the bar's end (382.2 - 6 = 376.2), not the whisker's
    ranges = [_score("headline", "Risk of Harm", Cell(9, 10, 90, None, None), 80, 100, 2)]
    root = ET.fromstring(chart1_svg(ranges))
    label = [t for t in _texts(root) if t[2] == "90% (N=10)"]
    assert label == [(pytest.approx(376.2), 48, "90% (N=10)", WHITE, {"text-anchor": "end", "font-weight": "bold"})]
    assert not _backings(root)


def test_a_word_that_would_make_the_line_47_characters_starts_a_new_line():
    # "... of the" is 39 characters; " publics" would make 47 > 46
    title = "Assessment and sentence planning of the publics"
    root = ET.fromstring(chart1_svg([_score("general", title, Cell(1, 4, 25, None, None))]))
    assert [t[2] for t in _texts(root)[5:7]] == ["Assessment and sentence planning of the", "publics"]


def test_ids_with_quotes_are_escaped_in_attributes_and_no_text_sits_between_elements():
    root = ET.fromstring(chart1_svg(_chart1_ranges(), chart_id='c"1<'))
    assert root.get("aria-labelledby") == 'c"1<-title c"1<-desc'
    assert root.find(f"{NS}title").get("id") == 'c"1<-title'
    # nothing but elements inside the chart: no stray text between them
    assert all(not (el.tail or "").strip() for el in root.iter() if el is not root)
    assert not (root.text or "").strip()


def test_a_chart_1_without_scores_draws_only_its_axis():
    root = ET.fromstring(chart1_svg([]))
    # the plot is empty: from 6 to 6; ticks at 27; height 33
    assert root.get("viewBox") == "0 0 480 33"
    assert _grid(root) == _grid_for([(6, 6)])
    assert _texts(root) == _ticks(27)


def test_the_caution_mark_is_for_one_answer_up_to_one_below_the_minimum():
    svg = grouped_bar_svg(["A"], [("One", [10]), ("Two", [20]), ("Three", [30])], title="t",
                          counts=[[1], [4], [3]], min_n=4)
    assert [t.text for t in ET.fromstring(svg).iter(f"{NS}text") if "(N=" in t.text] == [
        "10%\u2020 (N=1)", "20% (N=4)", "30%\u2020 (N=3)"]


def test_grouped_bars_without_counts_label_the_percentage_only():
    root = ET.fromstring(grouped_bar_svg(["A"], [("One", [50]), ("Two", [None])], title="t"))
    assert [t[2] for t in _texts(root)[-3:]] == ["A", "50%", "no cases"]


def test_a_short_bar_with_a_long_whisker_puts_its_label_right_of_the_bar_in_dark_text():
    # 10% (bar to 6 + 41.8 = 47.8) with areas from 5% to 100%: the whisker ends at 424 and
    # 424 + 7 + 112.2 > 474; inside, 47.8 - 6 - 112.2 < 6 would run white text off the bar.
    # So the bold label starts 7 after the bar's end (54.8), dark, on a white backing from 51.8
    # that is 112.2 + 6 = 118.2 wide.
    ranges = [_score("headline", "Risk of Harm", Cell(1, 10, 10, None, None), 5, 100, 2)]
    root = ET.fromstring(chart1_svg(ranges))
    label = [t for t in _texts(root) if t[2] == "10% (N=10)"]
    assert label == [(pytest.approx(54.8), 48, "10% (N=10)", BLACK, {"font-weight": "bold"})]
    assert [(pytest.approx(b[0]), pytest.approx(b[2])) for b in _backings(root)] == [(51.8, 118.2)]
