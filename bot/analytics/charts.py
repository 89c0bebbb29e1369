"""Chart geometry for the report: numbers only; the templates draw the SVG (autoescaped).

Colours: a diverging red-grey-blue scale that stays distinguishable for the common kinds of
colour blindness; every segment's text has at least 4.5:1 contrast on its colour, and every
chart has its table beside it, so no figure is given by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.analytics.indicators import DONT_KNOW

# (fill, text) for the five points, then "vet inte"
PALETTE = [("#a50f15", "#ffffff"), ("#f4a582", "#000000"), ("#d9d9d9", "#000000"),
           ("#92c5de", "#000000"), ("#08519c", "#ffffff")]
DONT_KNOW_COLOURS = ("#ffffff", "#000000")
BAR_WIDTH = 600
MIN_LABEL_WIDTH = 34
COLUMN_HEIGHT = 160


@dataclass
class Segment:
    key: str
    label: str
    count: int
    share: float
    x: float
    width: float
    fill: str
    text: str

    @property
    def shows_label(self) -> bool:
        return self.width >= MIN_LABEL_WIDTH


@dataclass
class Bar:
    item_id: str
    label: str
    row: dict[str, Any]
    segments: list[Segment] = field(default_factory=list)


def colours(point: int, points: int) -> tuple[str, str]:
    return PALETTE[round((point - 1) * 4 / (points - 1))] if points > 1 else PALETTE[2]


def stacked_bar(item_id: str, label: str, row: dict[str, Any],
                point_labels: list[str], dont_know_label: str) -> Bar:
    """One statement's distribution (1..k and "vet inte") as shares of everyone who answered."""
    bar = Bar(item_id, label, row)
    if row["suppressed"] or not row["n"] and not row["dont_know"]:
        return bar
    counts = [(str(p), point_labels[p - 1], row["distribution"].get(str(p), 0), colours(
        p, len(point_labels))) for p in range(1, len(point_labels) + 1)]
    counts.append((DONT_KNOW, dont_know_label, row["dont_know"] or 0, DONT_KNOW_COLOURS))
    people = sum(count for _, _, count, _ in counts)
    x = 0.0
    for key, text, count, (fill, ink) in counts:
        width = BAR_WIDTH * count / people
        bar.segments.append(Segment(key, text, count, count / people, round(x, 2),
                                    round(width, 2), fill, ink))
        x += width
    return bar


@dataclass
class Column:
    period: str
    value: float | None  # None: suppressed or no answers
    n: int | None
    x: float = 0
    height: float = 0


def columns(points: list[tuple[str, float | None, int | None]], maximum: float = 100,
            step: float = 70) -> list[Column]:
    """Vertical columns for a trend (index 0-100 per period)."""
    out = []
    for number, (period, value, n) in enumerate(points):
        height = 0 if value is None else COLUMN_HEIGHT * value / maximum
        out.append(Column(period, value, n, x=50 + number * step, height=round(height, 2)))
    return out
