"""The trend chart's geometry: bars scale to the busiest day, dots to the most abnormal."""

import datetime as dt

from server.dashboard.chart import HEIGHT, columns
from server.dashboard.service import DayFigures

DAY = dt.date(2026, 11, 1)


def days(*visitors_abnormal):
    return [
        DayFigures(day=DAY + dt.timedelta(days=n), visitors=v, abnormal=a)
        for n, (v, a) in enumerate(visitors_abnormal)
    ]


def test_the_busiest_day_fills_the_plot_and_an_empty_day_is_flat():
    full, half, empty = columns(days((200, 0), (100, 4), (0, 0)))
    assert full.bar_height == 2 * half.bar_height and empty.bar_height == 0
    assert full.bar_y + full.bar_height == half.bar_y + half.bar_height  # one baseline


def test_a_few_fevers_beside_many_visitors_still_show():
    quiet, busy = columns(days((500, 1), (500, 0)))
    assert quiet.dot_y < busy.dot_y < HEIGHT  # the single abnormal reading is at the top


def test_no_data_at_all_draws_nothing_tall():
    assert all(c.bar_height == 0 for c in columns(days((0, 0), (0, 0))))
    assert columns([]) == []


def test_columns_stay_in_order_and_inside_the_view():
    placed = columns(days(*[(n, 0) for n in range(14)]))
    xs = [c.x for c in placed]
    assert xs == sorted(xs) and placed[-1].x + placed[-1].width <= 560
