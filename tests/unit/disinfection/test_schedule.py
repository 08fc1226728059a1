"""When disinfection rounds fall due, with the clock set by the test."""

import datetime as dt
from pathlib import Path

import pytest

from server import clock
from server.disinfection.schedule import due_by, next_due, parse_hhmm, point_state
from server.policy.service import Policy

README = Path(__file__).resolve().parents[3] / "README.md"

OPENS, CLOSES = dt.time(8, 30), dt.time(17, 30)  # 9 hours: 4 rounds → one per 2 h 15 min


@pytest.mark.parametrize(
    "at, due",
    [
        (dt.time(7, 0), 0),  # before opening nothing is due
        (dt.time(8, 30), 0),
        (dt.time(10, 44), 0),
        (dt.time(10, 45), 1),  # the end of the first slot
        (dt.time(13, 0), 2),
        (dt.time(15, 14), 2),
        (dt.time(15, 15), 3),
        (dt.time(17, 29), 3),
        (dt.time(17, 30), 4),  # from closing time on, all of them
        (dt.time(23, 59), 4),
    ],
)
def test_rounds_due_by_a_time_of_day(at, due):
    assert due_by(4, OPENS, CLOSES, at) == due


def test_no_rounds_a_day_means_nothing_is_ever_due():
    assert due_by(0, OPENS, CLOSES, dt.time(18, 0)) == 0


def test_the_next_round_is_due_at_the_end_of_its_slot():
    assert next_due(4, OPENS, CLOSES, 0) == dt.time(10, 45)
    assert next_due(4, OPENS, CLOSES, 3) == dt.time(17, 30)
    assert next_due(4, OPENS, CLOSES, 4) is None


POLICY = Policy(opening_hours="08:30-17:30")  # open Monday to Friday, the default


def local(hour: int, minute: int = 0, day: int = 9) -> dt.datetime:
    """A UTC instant at this local time of the hall (Asia/Shanghai) on a day of March 2026
    (the 9th a Monday)."""
    moment = dt.datetime(2026, 3, day, hour, minute, tzinfo=clock.hall_zone())
    return moment.astimezone(dt.UTC)


def test_a_point_is_overdue_when_fewer_rounds_are_done_than_due():
    point = {"id": "p", "name": "电梯按钮", "times_per_day": 2}
    # 2 a day over 08:30–17:30: the first by 13:00, the second by 17:30.
    assert point_state(point, 0, local(12, 59), POLICY)["overdue"] is False
    late = point_state(point, 0, local(13, 0), POLICY)
    assert late["overdue"] is True and late["due"] == 1 and late["next_due"] == dt.time(13, 0)
    assert point_state(point, 1, local(13, 0), POLICY)["overdue"] is False
    assert point_state(point, 1, local(17, 30), POLICY)["overdue"] is True
    done = point_state(point, 2, local(18, 0), POLICY)
    assert done["overdue"] is False and done["next_due"] is None


def test_nothing_falls_due_on_a_day_the_hall_is_closed():
    point = {"id": "p", "name": "电梯按钮", "times_per_day": 2}
    sunday = point_state(point, 0, local(18, 0, day=8), POLICY)
    assert (sunday["due"], sunday["overdue"], sunday["next_due"]) == (0, False, None)
    # The hall's day, not UTC's: 07:00 on Monday in the hall is still Sunday in UTC.
    assert point_state(point, 0, local(7, 0), POLICY)["next_due"] == dt.time(13, 0)
    open_sundays = Policy(opening_hours="08:30-17:30", opening_weekdays=(1, 2, 3, 4, 5, 7))
    assert point_state(point, 0, local(18, 0, day=8), open_sundays)["overdue"] is True


def test_the_readme_gives_the_schedule_the_default_opening_hours_make():
    """The README's disinfection section names the setting the hours come from and the due
    times the code derives from its default (it once named settings that do not exist)."""
    policy = Policy()
    opens, closes = parse_hhmm(policy.hall_opens), parse_hhmm(policy.hall_closes)
    times = [next_due(4, opens, closes, done).strftime("%H:%M") for done in range(4)]
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**消毒 / Disinfection**") : text.index("**来人预约登记")]
    section = " ".join(section.split())
    assert f"`opening_hours`, default `{policy.opening_hours}`" in section
    assert f"due by {', '.join(times[:-1])} and {times[-1]}" in section
    assert "hall_opens" not in section and "hall_closes" not in section
