"""Time as the hall sees it: timestamps are stored in UTC, days are the hall's local days."""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from zoneinfo import ZoneInfo


@cache
def hall_zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("HALLWATCH_TZ", "Asia/Shanghai"))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return now().astimezone(hall_zone()).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where the hall's local `day` starts and the next one starts."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=hall_zone())
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=hall_zone())
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(hall_zone())
