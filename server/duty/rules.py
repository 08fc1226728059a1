"""Duty rules as pure functions: shift times, opening hours and the gap check (不得空岗).

Times are the hall's local "HH:MM" strings, compared as minutes since midnight; "24:00" is
midnight at the end of the day, so a 24-hour phone shift is "00:00"–"24:00"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from server.checks.rules import Invalid, Problem
from server.duty.tables import Post
from server.i18n import N_
from server.policy.service import Policy

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
WHOLE_DAY = (0, 24 * 60)


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def hhmm(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def clean_times(start: str, end: str) -> tuple[str, str]:
    """A shift's start and end, refused unless both are HH:MM and the end comes later."""
    start, end = str(start).strip(), str(end).strip()
    problems = [
        Problem(name, N_("Enter a time as HH:MM, e.g. 08:30"))
        for name, value in (("start", start), ("end", end))
        if not HHMM.match(value)
    ]
    if not problems and minutes(end) <= minutes(start):
        problems.append(Problem("end", N_("The shift must end after it starts")))
    if problems:
        raise Invalid(problems)
    return start, end


def opening_span(policy: Policy) -> tuple[int, int]:
    """The opening hours setting ("08:30-17:00") as minutes."""
    start, end = policy.opening_hours.split("-")
    return minutes(start.strip()), minutes(end.strip())


def is_open(day: dt.date, policy: Policy) -> bool:
    return day.isoweekday() in policy.opening_weekdays


def uncovered(span: tuple[int, int], shifts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `span` no shift covers, in order."""
    holes, cursor = [], span[0]
    for start, end in sorted(shifts):
        if start > cursor:
            holes.append((cursor, min(start, span[1])))
        cursor = max(cursor, end)
        if cursor >= span[1]:
            break
    if cursor < span[1]:
        holes.append((cursor, span[1]))
    return [(a, b) for a, b in holes if a < b]


def span(shift: dict) -> tuple[int, int]:
    return minutes(shift["start"]), minutes(shift["end"])


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans share a minute; one ending when the other starts do not."""
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class Away:
    """A person who may not come to work (WorkState stay_home or sick_absent) from `since`
    on: their current status, taken to hold until the office clears them."""

    state: str
    since: dt.date


@dataclass(frozen=True)
class Gap:
    """A post left empty: which day, which post (and window), which hours; `reason` is the
    work status of the person planned there who may not come (`person_name`), if any.
    `post` is a plain string: a Post's str() is "Post.window", not "window"."""

    day: dt.date
    post: str
    window_code: str = ""
    window_name: str = ""
    start: str = ""
    end: str = ""
    reason: str = ""
    person_name: str = ""


def find_gaps(
    days: list[dt.date],
    windows: list[dict],
    shifts: list[dict],
    policy: Policy,
    away: dict[int, Away] | None = None,
) -> list[Gap]:
    """Every window post empty during opening hours on an open day, every day without a
    leader of the day, and every hour the duty phone is not covered, day by day. A window
    shift of someone `away` (person id → Away) on that day covers nothing.

    `windows`: dicts with id, code, name; `shifts`: dicts with day, post, window, start, end
    (and person, person_name for `away`)."""
    by_slot: dict[tuple, list[dict]] = {}
    for s in shifts:
        slot = (s["day"], s["post"], s["window"] if s["post"] == Post.window else None)
        by_slot.setdefault(slot, []).append(s)
    gaps: list[Gap] = []
    for day in days:
        if not by_slot.get((day, Post.leader, None)):
            gaps.append(Gap(day, Post.leader.value))
        phone = [span(s) for s in by_slot.get((day, Post.phone, None), [])]
        for start, end in uncovered(WHOLE_DAY, phone):
            gaps.append(Gap(day, Post.phone.value, start=hhmm(start), end=hhmm(end)))
        if not is_open(day, policy):
            continue
        for w in windows:
            planned = by_slot.get((day, Post.window, w["id"]), [])
            gaps += _window_gaps(day, w, planned, opening_span(policy), away or {})
    return gaps


def _window_gaps(
    day: dt.date, window: dict, planned: list[dict], opening: tuple[int, int], away: dict
) -> list[Gap]:
    """One window's empty hours on one open day, each with the person planned there who is
    away, if one is."""

    def is_away(s: dict) -> bool:
        return s.get("person") in away and day >= away[s["person"]].since

    present = [span(s) for s in planned if not is_away(s)]
    absent = [s for s in planned if is_away(s)]
    gaps = []
    for start, end in uncovered(opening, present):
        why = next((s for s in absent if overlaps(span(s), (start, end))), None)
        reason = (
            {"reason": away[why["person"]].state, "person_name": why["person_name"]} if why else {}
        )
        gaps.append(
            Gap(
                day,
                Post.window.value,
                window["code"],
                window["name"],
                hhmm(start),
                hhmm(end),
                **reason,
            )
        )
    return gaps


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def shift_key(day: dt.date, post: str, window_id: int | None, person_id: int, start: str) -> str:
    return f"{day.isoformat()}|{post}|{window_id or ''}|{person_id}|{start}"
