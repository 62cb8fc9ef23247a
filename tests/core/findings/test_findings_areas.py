"""Chart 1 (scores with the range between areas) and Chart 2 (headline scores per area)."""

from golden_programme import AREAS, instrument

from caseassess_core.findings import CountRow, area_ranges, area_scores


def test_chart_1_gives_each_score_overall_with_the_lowest_and_highest_area():
    ranges = area_ranges(instrument(), AREAS)
    # roh:        overall (8+6) + (3+5) + 1 = 23/41 = 56.1% -> 56%; North 14/20 = 70%, South 8/20 = 40%
    # compliance: overall (9+4) + (6+5+1) = 25/41 = 61.0% -> 61%; North 15/20 = 75%, South 9/20 = 45%
    # ga1 = roh;  ga2: overall 13/20 = 65%; North 9/10 = 90%, South 4/10 = 40% (5 excluded)
    assert [
        (r.kind, r.id, r.overall.pct, r.overall.n, r.min_pct, r.min_area, r.max_pct, r.max_area) for r in ranges
    ] == [
        ("headline", "roh", 56, 41, 40, "South", 70, "North"),
        ("headline", "compliance", 61, 41, 45, "South", 75, "North"),
        ("general", "ga1", 56, 41, 40, "South", 70, "North"),
        ("general", "ga2", 65, 20, 40, "South", 90, "North"),
    ]
    assert all(r.n_areas == 2 for r in ranges)


def test_answers_without_an_area_count_overall_but_not_in_the_range():
    rows = [CountRow("C.2.1.1", None, "sufficient", 10), CountRow("C.2.1.1", "East", "insufficient", 10)]
    ga2 = area_ranges(instrument(), rows)[3]
    assert (ga2.overall.pct, ga2.overall.n, ga2.min_pct, ga2.max_pct, ga2.n_areas) == (50, 20, 0, 0, 1)


def test_the_range_compares_exact_proportions_not_rounded_ones():
    # West 2/3 = 66.67% -> 67%; East 67/100 = 67% exactly: East is higher, West lower
    rows = [
        CountRow("C.2.1.1", "West", "sufficient", 2),
        CountRow("C.2.1.1", "West", "insufficient", 1),
        CountRow("C.2.1.1", "East", "sufficient", 67),
        CountRow("C.2.1.1", "East", "insufficient", 33),
    ]
    ga2 = area_ranges(instrument(), rows)[3]
    assert (ga2.min_area, ga2.max_area) == ("West", "East")


def test_a_score_nobody_was_assessed_on_has_no_range():
    ranges = area_ranges(instrument(), [])
    assert ranges[0].overall.pct is None and ranges[0].min_pct is None and ranges[0].n_areas == 0


def test_chart_2_lists_areas_in_fieldwork_order_then_any_others():
    rows = AREAS + [CountRow("B.1.1.2", "Abbey", "sufficient", 1)]
    chart = area_scores(instrument(), rows, ["South", "North", "Later"])
    assert chart.scores == (("roh", "Risk of Harm"), ("compliance", "Compliance & <Enforcement>"))
    assert [(a.area, [c.pct for c in a.cells]) for a in chart.areas] == [
        ("South", [40, 45]),
        ("North", [70, 75]),
        ("Later", [None, None]),  # in the fieldwork order, no counts yet
        ("Abbey", [100, 100]),  # not in the order: appended, not dropped
    ]


def test_areas_with_the_same_proportion_are_named_alphabetically():
    # Abbey 1/2, Kent 2/4, York 3/6: all 50% exactly; Zed 1/4 = 25% is the lowest
    rows = [CountRow("C.2.1.1", a, o, n) for a, s, i in (("York", 3, 3), ("Abbey", 1, 1), ("Kent", 2, 2))
            for o, n in (("sufficient", s), ("insufficient", i))]
    ga2 = area_ranges(instrument(), rows)[3]
    assert (ga2.min_area, ga2.min_pct, ga2.max_area, ga2.max_pct, ga2.n_areas) == ("Abbey", 50, "Abbey", 50, 3)
    rows += [CountRow("C.2.1.1", "Zed", "sufficient", 1), CountRow("C.2.1.1", "Zed", "insufficient", 3)]
    ga2 = area_ranges(instrument(), rows)[3]
    assert (ga2.min_area, ga2.min_pct, ga2.max_area, ga2.max_pct, ga2.n_areas) == ("Zed", 25, "Abbey", 50, 4)
    # 2/3 (67%) against 3/5 (60%): cross-multiplied 2 x 5 = 10 > 3 x 3 = 9, so Kent is higher
    rows = [CountRow("C.2.1.1", "Kent", "sufficient", 2), CountRow("C.2.1.1", "Kent", "insufficient", 1),
            CountRow("C.2.1.1", "Abbey", "sufficient", 3), CountRow("C.2.1.1", "Abbey", "insufficient", 2)]
    ga2 = area_ranges(instrument(), rows)[3]
    assert (ga2.min_area, ga2.max_area) == ("Abbey", "Kent")


def test_an_area_without_answers_to_a_score_is_not_its_lowest():
    # East answered only B.1.1.1 (not in ga2 = C.2.1.1); West 1/1 and North 3/4 answered C.2.1.1
    rows = [CountRow("B.1.1.1", "East", "sufficient", 2), CountRow("C.2.1.1", "West", "sufficient", 1),
            CountRow("C.2.1.1", "North", "sufficient", 3), CountRow("C.2.1.1", "North", "insufficient", 1)]
    ga2 = area_ranges(instrument(), rows)[3]
    assert (ga2.min_area, ga2.min_pct, ga2.max_area, ga2.max_pct, ga2.n_areas) == ("North", 75, "West", 100, 2)
