"""The gap check (不得空岗) on a constructed week, and the shift-time rules under it."""

import datetime as dt

import pytest

from server.checks.rules import Invalid
from server.duty.rules import Away, clean_times, find_gaps, uncovered
from server.policy.service import Policy

MONDAY = dt.date(2026, 3, 2)
WEEK = [MONDAY + dt.timedelta(days=n) for n in range(7)]
WINDOWS = [
    {"id": 1, "code": "A01", "name": "企业开办"},
    {"id": 2, "code": "B01", "name": "社保登记"},
]
POLICY = Policy(opening_hours="08:30-17:00", opening_weekdays=(1, 2, 3, 4, 5))


def shift(day, post, start, end, window=None):
    return {"day": day, "post": post, "window": window, "start": start, "end": end}


def full_week() -> list[dict]:
    """Every day a leader and the phone round the clock; both windows staffed on weekdays,
    one of them by two half-day shifts that overlap at noon."""
    shifts = []
    for day in WEEK:
        shifts += [shift(day, "leader", "00:00", "24:00"), shift(day, "phone", "00:00", "24:00")]
        if day.isoweekday() <= 5:
            shifts += [
                shift(day, "window", "08:30", "17:00", 1),
                shift(day, "window", "08:00", "12:30", 2),
                shift(day, "window", "12:00", "17:30", 2),
            ]
    return shifts


def test_a_fully_staffed_week_has_no_gap():
    assert find_gaps(WEEK, WINDOWS, full_week(), POLICY) == []


def test_a_window_empty_in_the_afternoon_is_one_gap_with_its_hours():
    shifts = [s for s in full_week() if not (s["window"] == 2 and s["day"] == WEEK[2])]
    shifts.append(shift(WEEK[2], "window", "08:30", "13:00", 2))
    gaps = find_gaps(WEEK, WINDOWS, shifts, POLICY)
    assert [(g.day, g.post, g.window_code, g.start, g.end) for g in gaps] == [
        (WEEK[2], "window", "B01", "13:00", "17:00")
    ]


def test_a_day_without_a_leader_is_a_gap_even_on_the_weekend():
    shifts = [s for s in full_week() if not (s["post"] == "leader" and s["day"] == WEEK[6])]
    gaps = find_gaps(WEEK, WINDOWS, shifts, POLICY)
    assert [(g.day, g.post) for g in gaps] == [(WEEK[6], "leader")]


def test_windows_are_not_required_on_closed_days():
    shifts = [s for s in full_week() if not (s["post"] == "window" and s["day"] == WEEK[5])]
    assert find_gaps(WEEK, WINDOWS, shifts, POLICY) == []
    saturday_open = Policy(opening_weekdays=(1, 2, 3, 4, 5, 6))
    gaps = find_gaps(WEEK, WINDOWS, full_week(), saturday_open)
    assert {(g.day, g.window_code) for g in gaps} == {(WEEK[5], "A01"), (WEEK[5], "B01")}


def test_an_empty_week_lists_every_window_day_and_every_leader_day():
    gaps = find_gaps(WEEK, WINDOWS, [], POLICY)
    assert sum(g.post == "leader" for g in gaps) == 7
    assert sum(g.post == "phone" for g in gaps) == 7
    assert sum(g.post == "window" for g in gaps) == 5 * len(WINDOWS)
    assert all((g.start, g.end) == ("08:30", "17:00") for g in gaps if g.post == "window")


def test_a_shift_at_another_window_does_not_cover_this_one():
    shifts = [s for s in full_week() if not (s["window"] == 1 and s["day"] == WEEK[0])]
    shifts.append(shift(WEEK[0], "hall", "08:30", "17:00"))
    gaps = find_gaps(WEEK, WINDOWS, shifts, POLICY)
    assert [(g.day, g.window_code) for g in gaps] == [(WEEK[0], "A01")]


def test_the_phone_uncovered_at_night_is_a_gap():
    shifts = [s for s in full_week() if not (s["post"] == "phone" and s["day"] == WEEK[1])]
    shifts.append(shift(WEEK[1], "phone", "08:00", "20:00"))
    gaps = find_gaps(WEEK, WINDOWS, shifts, POLICY)
    assert [(g.start, g.end) for g in gaps] == [("00:00", "08:00"), ("20:00", "24:00")]


@pytest.mark.parametrize(
    "covered, holes",
    [
        ([], [(0, 10)]),
        ([(0, 10)], []),
        ([(0, 4), (6, 10)], [(4, 6)]),
        ([(0, 4), (4, 10)], []),
        ([(2, 3), (0, 5), (7, 12)], [(5, 7)]),
        ([(-5, 1), (9, 20)], [(1, 9)]),
    ],
)
def test_uncovered(covered, holes):
    assert uncovered((0, 10), covered) == holes


@pytest.mark.parametrize(
    "start, end", [("8:30", "17:00"), ("08:30", "25:00"), ("17:00", "08:30"), ("09:00", "09:00")]
)
def test_bad_shift_times_are_refused(start, end):
    with pytest.raises(Invalid):
        clean_times(start, end)


def test_a_whole_day_shift_ends_at_24_00():
    assert clean_times("00:00", "24:00") == ("00:00", "24:00")


def test_a_window_planned_with_someone_away_is_a_gap_with_the_reason():
    shifts = full_week()
    for s in shifts:
        s |= {"person": 7 if s["window"] == 1 else 8, "person_name": "周芳"}
    away = {7: Away("stay_home", WEEK[3])}
    gaps = find_gaps(WEEK, WINDOWS, shifts, POLICY, away)
    assert [(g.day, g.window_code, g.start, g.end, g.reason, g.person_name) for g in gaps] == [
        (WEEK[3], "A01", "08:30", "17:00", "stay_home", "周芳"),
        (WEEK[4], "A01", "08:30", "17:00", "stay_home", "周芳"),
    ]
    # Only window posts are checked so: 8 also leads and holds the phone, and those stay.
    sick = find_gaps(WEEK, WINDOWS, shifts, POLICY, {8: Away("sick_absent", WEEK[0])})
    assert {(g.post, g.window_code, g.start, g.end, g.reason) for g in sick} == {
        ("window", "B01", "08:30", "17:00", "sick_absent")
    } and len(sick) == 5
