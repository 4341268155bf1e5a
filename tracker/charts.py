"""
Line charts drawn on the server as SVG: no script, nothing to load, the same in print and with styles off.

`line_chart` works out every coordinate, so a template only writes them out. The chart is a picture of a
table the page also shows; screen readers get the table (the SVG carries a one-line summary).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 12, 44  # room for the count axis on the left and the month labels below
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str  # what a pointer hovering over the point is told


@dataclass(frozen=True)
class Line:
    name: str
    key: str  # the CSS modifier that gives the line its colour and dash pattern
    points: list[Point]

    @property
    def path(self) -> str:
        """Return the line as an SVG polyline's points."""
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


@dataclass(frozen=True)
class Tick:
    position: float  # y for a count, x for a label
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def nice_ceiling(value: int) -> int:
    """Return the smallest of 1, 2, 5, 10, 20, 50… that is at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    raise AssertionError("unreachable: 10 × power is always at least value")


def line_chart(labels: list[str], series: list[tuple[str, str, list[int]]], titles: list[str]) -> LineChart:
    """
    Return a chart of `series` — (name, key, one count per label) — over `labels`, the x axis, oldest first.
    `titles` names each label in full for the points' hover text ("March 2026").
    """
    top_value = nice_ceiling(max((max(values, default=0) for _, _, values in series), default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / (len(labels) - 1) if len(labels) > 1 else 0

    def x(i: int) -> float:
        return round(LEFT + (i * step if len(labels) > 1 else plot_width / 2), 1)

    def y(value: int) -> float:
        return round(TOP + plot_height * (1 - value / top_value), 1)

    lines = [
        Line(name, key, [Point(x(i), y(v), f"{titles[i]}: {v} {name.lower()}") for i, v in enumerate(values)])
        for name, key, values in series
    ]
    tick_step = top_value // 5 if top_value >= 5 else 1
    y_ticks = [Tick(y(v), f"{v:,}") for v in range(0, top_value + 1, tick_step)]
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    # The newest label always shows; the others step back from it, so the labels end on today.
    shown = sorted({len(labels) - 1 - k for k in range(0, len(labels), every)})
    x_ticks = [Tick(x(i), labels[i]) for i in shown]
    return LineChart(WIDTH, HEIGHT, lines, y_ticks, x_ticks)
