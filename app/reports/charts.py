"""Geometry of the report's inline SVG charts (server-side: no script, no inline style).

Each chart is drawn by templates/reports/_charts.html with <title>, <desc> and a table beside it.
"""
from dataclasses import dataclass

WIDTH = 720
LABEL = 270
ROW = 26
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float
    text: str
    css: str = ""
    plan_x: float | None = None


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    row_height: int
    bars: list[Bar]
    reference_x: float | None = None


def _scale(maximum: float) -> float:
    return (WIDTH - LABEL - 60) / maximum if maximum else 0


def horizontal(items: list[tuple[str, float]], text=str) -> BarChart:
    """One bar per (label, value), scaled to the largest value."""
    scale = _scale(max((v for _l, v in items), default=0))
    bars = [Bar(label=label, value=value, y=TOP + n * ROW, width=round(value * scale, 1), text=text(value))
            for n, (label, value) in enumerate(items)]
    return BarChart(WIDTH, TOP * 2 + max(len(bars), 1) * ROW, LABEL, ROW, bars)


def plan_vs_fact(rows: list[dict]) -> BarChart:
    """Fact as a share of plan per indicator, a line at 100 %; bars past 150 % are clipped."""
    items = [r for r in rows if r["plan"]]
    scale = _scale(150)
    bars = []
    for n, row in enumerate(items):
        share = min(row["percent"] or 0, 150)
        bars.append(Bar(label=row["name"], value=row["percent"] or 0, y=TOP + n * ROW, width=round(share * scale, 1),
                        text=f"{row['fact'] if row['fact'] is not None else '—'} / {row['plan']}",
                        css=f"status-{row['status']}"))
    return BarChart(WIDTH, TOP * 2 + max(len(bars), 1) * ROW, LABEL, ROW, bars,
                    reference_x=round(LABEL + 100 * scale, 1))


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
