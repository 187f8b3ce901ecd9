"""Geometry of the report's inline SVG charts (server-side: no script, no inline style).

Each chart is drawn by templates/reports/_charts.html with <title>, <desc> and a table beside it.
The colours and the font size are SVG attributes, not only CSS classes: WeasyPrint draws an inline SVG
with its own renderer, which does not apply the page's stylesheet (bars came out black, labels at 16 px
ran off the left edge). On the web page the stylesheet's class rules still win over the attributes.
Long labels wrap onto several lines, each row as tall as its label.
"""
import textwrap
from dataclasses import dataclass

from flask_babel import format_decimal

WIDTH = 720
LABEL = 270
ROW = 26
TOP = 8
FONT_SIZE = 11
LINE = 13            # the height of one label line at FONT_SIZE
LABEL_CHARS = 36     # characters of an 11 px DejaVu Sans label that fit LABEL less its margin (≈ 6.7 px each)

BAR_COLOUR = "#0b5ed7"
TEXT_COLOUR = "#212529"
REFERENCE_COLOUR = "#b02a37"
AXIS_COLOUR = "#6c757d"
STATUS_COLOURS = {"met": "#146c43", "on_track": BAR_COLOUR, "behind": "#b35c00", "missed": "#b02a37"}


def wrap(label: str, width: int = LABEL_CHARS) -> list[str]:
    """The label's lines, broken between words (a word longer than a line is broken inside)."""
    return textwrap.wrap(label, width, break_long_words=True, break_on_hyphens=False) or [""]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float
    text: str
    css: str = ""
    plan_x: float | None = None
    fill: str = BAR_COLOUR
    lines: tuple[str, ...] = ()
    height: float = ROW

    @property
    def middle(self) -> float:
        return self.y + self.height / 2

    @property
    def first_line_y(self) -> float:
        """The baseline of the label's first line, so that its lines sit centred on the bar."""
        return round(self.middle - (len(self.lines) - 1) * LINE / 2 + FONT_SIZE * 0.35, 1)


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    row_height: int
    bars: list[Bar]
    reference_x: float | None = None
    font_size: int = FONT_SIZE
    line_height: int = LINE
    text_colour: str = TEXT_COLOUR
    reference_colour: str = REFERENCE_COLOUR


def _scale(maximum: float) -> float:
    return (WIDTH - LABEL - 60) / maximum if maximum else 0


def _stacked(rows: list[dict]) -> tuple[list[Bar], int]:
    """Bars one under another, each row tall enough for its wrapped label; and the chart's height."""
    bars, y = [], TOP
    for row in rows:
        lines = tuple(wrap(row["label"]))
        height = max(ROW, len(lines) * LINE + 8)
        bars.append(Bar(y=y, lines=lines, height=height, **row))
        y += height
    return bars, int(max(y, TOP + ROW) + TOP)


def horizontal(items: list[tuple[str, float]], text=str) -> BarChart:
    """One bar per (label, value), scaled to the largest value."""
    scale = _scale(max((v for _l, v in items), default=0))
    bars, height = _stacked([{"label": label, "value": value, "width": round(value * scale, 1), "text": text(value)}
                             for label, value in items])
    return BarChart(WIDTH, height, LABEL, ROW, bars)


def plan_vs_fact(rows: list[dict]) -> BarChart:
    """Fact as a share of plan per indicator, a line at 100 %; bars past 150 % are clipped."""
    items = [r for r in rows if r["plan"]]
    scale = _scale(150)
    bars, height = _stacked([{
        "label": row["name"], "value": row["percent"] or 0,
        "width": round(min(row["percent"] or 0, 150) * scale, 1),
        "text": f"{format_decimal(row['fact']) if row['fact'] is not None else '—'} / {format_decimal(row['plan'])}",
        "css": f"status-{row['status']}", "fill": STATUS_COLOURS.get(row["status"], BAR_COLOUR),
    } for row in items])
    return BarChart(WIDTH, height, LABEL, ROW, bars, reference_x=round(LABEL + 100 * scale, 1))


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    actual: str          # SVG polyline points
    expected: str
    ticks: list[tuple[float, str]]
    top_label: str
    plan_y: float
    font_size: int = FONT_SIZE
    text_colour: str = TEXT_COLOUR
    reference_colour: str = REFERENCE_COLOUR
    axis_colour: str = AXIS_COLOUR
    line_colour: str = BAR_COLOUR


def pace_line(pace: dict | None, label=str) -> LineChart | None:
    """Cumulated facts per month (up to this month) against the expected pace line."""
    if not pace or not pace["months"]:
        return None
    height, left, bottom, top = 240, 50, 30, 10
    months = pace["months"]
    peak = max([pace["plan"]] + [m["cumulative"] or 0 for m in months]) or 1
    step = (WIDTH - left - 20) / max(len(months) - 1, 1)

    def y(value: float) -> float:
        return round(height - bottom - (height - bottom - top) * value / peak, 1)

    def points(key: str) -> str:
        return " ".join(f"{round(left + n * step, 1)},{y(m[key])}" for n, m in enumerate(months) if m[key] is not None)

    ticks = [(round(left + n * step, 1), label(m["month"])) for n, m in enumerate(months)]
    return LineChart(WIDTH, height, left, points("cumulative"), points("expected"), ticks, str(peak),
                     y(pace["plan"]))
