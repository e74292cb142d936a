"""The rating breakdown of an actor's claims as an SVG bar chart, drawn on the server.

No script and no style attribute (a Content-Security-Policy without 'unsafe-inline' allows it): the
geometry is computed here, the template writes ``<rect>`` and ``<text>`` with presentation attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .selectors import RatingCount

#: Bar colours by normalised rating class (the badge colours of site.css).
COLOURS = {"true": "#1f7a3a", "mixture": "#b54708", "false": "#b42318", "other": "#6b7280"}

WIDTH = 640
ROW = 30
LABEL_WIDTH = 230
BAR_SPACE = WIDTH - LABEL_WIDTH - 60  # room on the right for the count


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int
    y: int
    text_y: int
    width: int
    count_x: int
    colour: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    total: int


def rating_chart(breakdown: list[RatingCount], language: str) -> Chart:
    biggest = max((row.count for row in breakdown), default=0) or 1
    bars = []
    for index, row in enumerate(breakdown):
        width = round(BAR_SPACE * row.count / biggest)
        y = index * ROW + 4
        bars.append(
            Bar(
                label=row.rating.label(language),
                count=row.count,
                percent=round(row.share * 100),
                y=y,
                text_y=y + ROW // 2 + 1,
                width=max(width, 2 if row.count else 0),
                count_x=LABEL_WIDTH + max(width, 0) + 8,
                colour=COLOURS.get(row.rating.rating_class.lower(), COLOURS["other"]),
            )
        )
    return Chart(bars, WIDTH, len(bars) * ROW + 8, LABEL_WIDTH, sum(row.count for row in breakdown))
