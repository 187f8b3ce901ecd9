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
