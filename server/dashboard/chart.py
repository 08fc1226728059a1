"""The 14-day trend as an SVG drawn on the server: no chart library, nothing to load on a
phone, and it prints. Bars are the day's visitors; the red dot on each bar is the number of
abnormal readings on its own scale, so a handful of fevers stays visible beside hundreds of
visitors."""

from __future__ import annotations

from dataclasses import dataclass

from server.dashboard.service import DayFigures

WIDTH, HEIGHT = 560, 180
TOP, BOTTOM, LEFT = 16, 28, 4


@dataclass(frozen=True)
class Column:
    x: float
    width: float
    bar_y: float
    bar_height: float
    dot_y: float
    figures: DayFigures
    label: str


def _scale(value: int, most: int) -> float:
    """Height in the plot for `value` where `most` fills it (a flat zero when nothing)."""
    plot = HEIGHT - TOP - BOTTOM
    return plot * value / most if most else 0.0


def columns(days: list[DayFigures]) -> list[Column]:
    most_visitors = max((d.visitors for d in days), default=0)
    most_abnormal = max((d.abnormal for d in days), default=0)
    step = (WIDTH - LEFT) / max(len(days), 1)
    result = []
    for n, day in enumerate(days):
        bar = _scale(day.visitors, most_visitors)
        base = HEIGHT - BOTTOM
        result.append(
            Column(
                x=round(LEFT + n * step + step * 0.15, 1),
                width=round(step * 0.7, 1),
                bar_y=round(base - bar, 1),
                bar_height=round(bar, 1),
                dot_y=round(base - _scale(day.abnormal, most_abnormal), 1),
                figures=day,
                label=day.day.strftime("%m-%d"),
            )
        )
    return result
