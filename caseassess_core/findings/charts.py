"""Accessible SVG charts as strings (no libraries).

Each chart is an ``<svg role="img">`` with ``<title>`` and ``<desc>`` (a text
summary of every number shown), a ``viewBox`` and ``width="100%"`` so it scales
down to a 320 px screen. Labels sit above their bars (full width, wrapped) so
narrow screens keep them readable. Colours come from the GOV.UK palette. All
text is escaped.

Bars carry ``class="bar"``, range whiskers ``class="range"`` (tests count them).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from caseassess_core.findings.areas import AreaChart, ScoreRange
from caseassess_core.findings.tables import FindingsTable

BLUE = "#1d70b8"
DARK_BLUE = "#003078"
ORANGE = "#f47738"
GREY = "#505a5f"
TEXT = "#0b0c0c"
SERIES = (BLUE, ORANGE, DARK_BLUE, GREY)

# 480 units wide: on a 320 px screen the scale is 2/3, so 17-unit labels stay ~11 px
WIDTH = 480
PAD = 6
FONT = 17
SMALL = "15"
LINE = 21
BAR = 24
BAR_GAP = 4
ROW_GAP = 14
PLOT_RIGHT = WIDTH - 56  # room for the value label at 100%
WRAP = 46


def _e(text: str) -> str:
    return escape(text, quote=True)


def _pct(value: int | None) -> str:
    return "no cases" if value is None else f"{value}%"


def _wrap(text: str, width: int = WRAP) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines or [""]


def _x(pct: float) -> float:
    return PAD + (PLOT_RIGHT - PAD) * pct / 100.0


def _svg(title: str, desc: str, height: float, body: list[str], chart_id: str) -> str:
    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{_e(tid)} {_e(did)}" '
        f'viewBox="0 0 {WIDTH} {height:g}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="arial, sans-serif" font-size="{FONT}" class="caseassess-chart">'
        f'<title id="{_e(tid)}">{_e(title)}</title><desc id="{_e(did)}">{_e(desc)}</desc>'
    )
    return head + "".join(body) + "</svg>"


def _text(x: float, y: float, text: str, fill: str = TEXT, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_e(v)}"' for k, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}" fill="{fill}"{extra}>{_e(text)}</text>'


def _bar_label(end_x: float, y: float, text: str, size: float, bar_end: float | None = None, **attrs: str) -> str:
    """The value label right of ``end_x`` (bar or whisker end), or inside the bar (white, right-aligned
    at ``bar_end``) when it would run off the chart."""
    width = len(text) * size * (0.66 if attrs.get("font_weight") == "bold" else 0.6)
    if end_x + 7 + width <= WIDTH - PAD:
        # a white backing keeps the grid lines from running through the label
        backing = (
            f'<rect class="label-bg" x="{end_x + 4:g}" y="{y - BAR + 7 - BAR_GAP / 2:g}" width="{width + 6:g}" '
            f'height="{BAR + BAR_GAP:g}" fill="#ffffff"/>'
        )
        return backing + _text(end_x + 7, y, text, **attrs)
    inside = end_x if bar_end is None else bar_end
    if inside - 6 - width < PAD and bar_end is not None and bar_end < end_x:
        # A bar too short to hold its label and a whisker too long to follow: the label goes
        # just right of the bar on its white backing, over the whisker's line (the range is in
        # the chart's description and its data table), never white on white.
        return _bar_label(bar_end, y, text, size, None, **attrs)
    return _text(max(PAD + width, inside - 6), y, text, fill="#ffffff", text_anchor="end", **attrs)


def _axis(y_top: float, y_bottom: float, bands: Sequence[tuple[float, float]] | None = None) -> list[str]:
    """Tick lines at 0-100%, drawn only across the bar bands (never over the labels above the bars)."""
    out = []
    spans = list(bands) if bands else [(y_top, y_bottom)]
    for tick in (0, 25, 50, 75, 100):
        x = _x(tick)
        for y0, y1 in spans:
            out.append(
                f'<line class="grid" x1="{x:g}" y1="{y0:g}" x2="{x:g}" y2="{y1:g}" stroke="{GREY}" '
                f'stroke-width="{1 if tick == 0 else 0.5}" stroke-dasharray="{"none" if tick == 0 else "2 3"}"/>'
            )
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        out.append(_text(x, y_bottom + LINE, f"{tick}%", text_anchor=anchor, font_size=SMALL))
    return out


def _value_label(value: int | None, n: int | None, min_n: int) -> str:
    """ "72% (N=1,234)", with the caution mark when 0 < N < min_n."""
    if n is None:
        return _pct(value)
    if value is None:
        return "no cases"
    mark = "\u2020" if 0 < n < min_n else ""
    return f"{value}%{mark} (N={n:,})"


def chart1_svg(
    ranges: Sequence[ScoreRange],
    *,
    title: str = "",
    area_word: str = "areas",
    chart_id: str = "chart1",
    min_n: int = 0,
) -> str:
    """Horizontal bars of every score, with a whisker from the lowest to the highest area."""
    title = title or "Headline and general criteria scores, with the range between " + area_word
    summary = []
    body: list[str] = []
    bands: list[tuple[float, float]] = []
    y = PAD
    for score in ranges:
        for line in _wrap(score.title):
            y += LINE
            body.append(_text(PAD, y, line, font_weight="bold" if score.kind == "headline" else "normal"))
        y += BAR_GAP
        bar_top = y
        value = score.overall.pct
        text = f"{score.title}: {_pct(value)}"
        if value is not None:
            body.append(
                f'<rect class="bar" x="{PAD}" y="{bar_top:g}" width="{_x(value) - PAD:g}" height="{BAR}" '
                f'fill="{BLUE if score.kind == "headline" else DARK_BLUE}"/>'
            )
        label_x = _x(value or 0)
        if score.min_pct is not None and score.max_pct is not None and score.n_areas >= 2:
            mid = bar_top + BAR / 2
            x1, x2 = _x(score.min_pct), _x(score.max_pct)
            whisker = (
                f'<line x1="{x1:g}" y1="{mid:g}" x2="{x2:g}" y2="{mid:g}"/>'
                f'<line x1="{x1:g}" y1="{bar_top + 3:g}" x2="{x1:g}" y2="{bar_top + BAR - 3:g}"/>'
                f'<line x1="{x2:g}" y1="{bar_top + 3:g}" x2="{x2:g}" y2="{bar_top + BAR - 3:g}"/>'
            )
            # a white halo keeps the black whisker visible over both bar colours
            body.append(
                f'<g class="range" stroke-linecap="square"><g stroke="#ffffff" stroke-width="4">{whisker}</g>'
                f'<g stroke="{TEXT}" stroke-width="2">{whisker}</g></g>'
            )
            label_x = max(label_x, x2)
            text += f" (range between {area_word} {score.min_pct}% to {score.max_pct}%)"
        value_text = _value_label(value, score.overall.n, min_n)
        body.append(_bar_label(label_x, bar_top + BAR - 7, value_text, FONT, _x(value or 0), font_weight="bold"))
        summary.append(text + (f" (N={score.overall.n:,})" if score.overall.n else ""))
        bands.append((bar_top, bar_top + BAR))
        y = bar_top + BAR + ROW_GAP
    body = _axis(PAD, y, bands) + body
    height = y + LINE + PAD
    desc = "Percentage of work done sufficiently well. " + "; ".join(summary) + "."
    return _svg(title, desc, height, body, chart_id)


def grouped_bar_svg(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    *,
    title: str,
    chart_id: str = "chart",
    counts: Sequence[Sequence[int]] | None = None,
    min_n: int = 0,
) -> str:
    """Grouped horizontal bars: for each category (label above), one bar per series.

    ``series`` is ``[(name, [pct per category])]``; ``None`` values draw no bar and
    are labelled "no cases". A legend at the top names the series. ``counts`` (aligned
    with ``series``) puts N beside each bar, with the caution mark below ``min_n``.
    """
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
    body: list[str] = []
    y = PAD
    # legend
    x: float = PAD
    for i, (name, _) in enumerate(series):
        colour = SERIES[i % len(SERIES)]
        width = 24 + 9.5 * len(name)
        if x + width > WIDTH - PAD and x > PAD:
            x = PAD
            y += LINE + 4
        body.append(f'<rect x="{x:g}" y="{y + 3:g}" width="16" height="16" fill="{colour}"/>')
        body.append(_text(x + 22, y + 17, name))
        x += width + 12
    y += LINE + 12
    top = y
    summary = []
    bars: list[str] = []
    bands: list[tuple[float, float]] = []
    for c, category in enumerate(categories):
        for line in _wrap(category):
            y += LINE
            bars.append(_text(PAD, y, line, font_weight="bold"))
        y += BAR_GAP
        band_top = y
        parts = []
        for i, (name, values) in enumerate(series):
            value = values[c]
            n = counts[i][c] if counts is not None else None
            if value is not None:
                bars.append(
                    f'<rect class="bar" x="{PAD}" y="{y:g}" width="{_x(value) - PAD:g}" height="{BAR}" '
                    f'fill="{SERIES[i % len(SERIES)]}"><title>{_e(f"{category}, {name}: {value}%")}</title></rect>'
                )
            label = _value_label(value, n, min_n)
            bars.append(_bar_label(_x(value or 0), y + BAR - 7, label, float(SMALL), font_size=SMALL))
            parts.append(f"{name} {_pct(value)}" + (f" (N={n:,})" if n else ""))
            y += BAR + BAR_GAP
        bands.append((band_top, y - BAR_GAP))
        summary.append(f"{category}: " + ", ".join(parts))
        y += ROW_GAP
    body += _axis(top, y, bands) + bars
    desc = "Percentage of work done sufficiently well. " + "; ".join(summary) + "."
    return _svg(title, desc, y + LINE + PAD, body, chart_id)


def chart2_svg(
    chart: AreaChart, *, title: str = "", area_word: str = "areas", chart_id: str = "chart2", min_n: int = 0
) -> str:
    """Chart 2: headline scores of each area (areas in fieldwork order, one bar per score), N beside each bar.
    Empty ("") for fewer than two areas: a chart of one area says nothing Chart 1 does not."""
    if len(chart.areas) < 2:
        return ""
    return grouped_bar_svg(
        [a.area for a in chart.areas],
        [(score_title, [a.cells[i].pct for a in chart.areas]) for i, (_, score_title) in enumerate(chart.scores)],
        title=title or f"Headline scores for each of the {area_word}, in order of fieldwork",
        chart_id=chart_id,
        counts=[[a.cells[i].n for a in chart.areas] for i in range(len(chart.scores))],
        min_n=min_n,
    )


def comparison_svg(table: FindingsTable, *, title: str = "", chart_id: str = "", min_n: int = 0) -> str:
    """Headline and general criteria scores of a table's two groups, side by side, N beside each bar."""
    rows = table.score_rows
    return grouped_bar_svg(
        [r.label for r in rows],
        [(g.label, [r.cells[i].pct for r in rows]) for i, g in enumerate(table.groups)],
        title=title or f"General criteria and headline scores: {table.groups[0].label} and {table.groups[1].label}",
        chart_id=chart_id or f"chart-{table.id or 'comparison'}",
        counts=[[r.cells[i].n for r in rows] for i in range(len(table.groups))],
        min_n=min_n,
    )
