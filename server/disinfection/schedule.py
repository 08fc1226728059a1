"""When a point's rounds fall due: its times per day spread evenly over the hall's opening
hours, the k-th round due by the end of the k-th slot, and none on a day the hall is closed
(the setting `opening_weekdays`). Pure functions, so the office page, the record sheet and the
tests agree (web/static/js/disinfection.js mirrors `due_by` and `point_state`'s open days)."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.duty.rules import is_open
from server.policy.service import Policy


def parse_hhmm(text: str) -> dt.time:
    hours, minutes = str(text).split(":")
    return dt.time(int(hours), int(minutes))


def due_by(times_per_day: int, opens: dt.time, closes: dt.time, at: dt.time) -> int:
    """How many rounds should be done by local time `at`: none before opening, all of them
    from closing time on, one more at the end of each equal slot in between."""
    if times_per_day <= 0:
        return 0
    start = opens.hour * 60 + opens.minute
    end = closes.hour * 60 + closes.minute
    now = at.hour * 60 + at.minute + at.second / 60
    if end <= start or now >= end:
        return times_per_day if now >= end else 0
    if now < start:
        return 0
    slot = (end - start) / times_per_day
    return min(times_per_day, int((now - start) // slot))


def next_due(times_per_day: int, opens: dt.time, closes: dt.time, done: int) -> dt.time | None:
    """The local time by which the next round (after `done` of them) is due; None when the
    day's rounds are all done."""
    if done >= times_per_day or times_per_day <= 0:
        return None
    start = opens.hour * 60 + opens.minute
    end = closes.hour * 60 + closes.minute
    minute = round(start + (end - start) * (done + 1) / times_per_day)
    return dt.time(minute // 60, minute % 60)


def point_state(point: dict, done: int, now: dt.datetime, policy: Policy) -> dict:
    """A point's standing at `now` (UTC): rounds done today, due by now, overdue or not. On a
    day the hall is closed nothing falls due (rounds logged anyway are still counted)."""
    local = clock.local(now)
    if not is_open(local.date(), policy):
        return {**point, "done": done, "due": 0, "overdue": False, "next_due": None}
    opening, closing = parse_hhmm(policy.hall_opens), parse_hhmm(policy.hall_closes)
    due = due_by(point["times_per_day"], opening, closing, local.time())
    return {
        **point,
        "done": done,
        "due": due,
        "overdue": done < due,
        "next_due": next_due(point["times_per_day"], opening, closing, done),
    }
