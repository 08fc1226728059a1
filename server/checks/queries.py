"""The office's view of the checks: filtered, keyset-paged lists (no OFFSET scans), and the
same filter walked to its end in batches for the exports."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from piccolo.columns.combination import WhereRaw

from server import clock
from server.checks.tables import CheckStatus, StaffCheck, VisitorCheck
from server.db import contains
from server.i18n import N_

PAGE_SIZE = 25
EXPORT_BATCH = 1000
MAX_DAYS = 31  # a month at once: the retention period (28 days by default) and then some
MAX_TEXT = 50
TABS = ("visitors", "staff")
ABNORMAL = [CheckStatus.remeasure, CheckStatus.cleared, CheckStatus.held]
# What the office types to find a visitor by their mobile: its last four digits or more of
# its end, up to the whole number (spaces and dashes ignored).
PHONE_END = re.compile(r"[0-9]{4,11}")
MASKED_PHONE = re.compile(r"(1[0-9]{2})\*{4}([0-9]{4})")
# The expression of the index made by migration checks_2026_11_29t11_40: written the same
# here, or the database reads the whole day instead.
PHONE_TAIL = 'substr("visitor_check"."phone", 8, 4)'
YES = ("1", "on", "true")


@dataclass(frozen=True)
class CheckFilter:
    """What the office asked for: one local day (or `day` to `until`), abnormal only, a
    window, free text."""

    day: dt.date
    abnormal_only: bool = False
    window_id: int | None = None
    text: str = ""
    until: dt.date | None = None

    @property
    def last_day(self) -> dt.date:
        return self.until or self.day

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The UTC instants from the first day's start to the last day's end."""
        return clock.day_bounds(self.day)[0], clock.day_bounds(self.last_day)[1]

    def params(self, tab: str) -> dict:
        """The query string that selects the same rows again (list pages, exports)."""
        return {
            "tab": tab,
            "day": self.day.isoformat(),
            "until": self.until.isoformat() if self.until else "",
            "abnormal": "1" if self.abnormal_only else "",
            "window": self.window_id or "",
            "q": self.text,
        }


class BadFilter(ValueError):
    """A filter that cannot be read: a msgid and its values, translated where it is shown."""

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message)
        self.message, self.params = message, params or {}


def _date(text: str, default: dt.date | None) -> dt.date | None:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = N_("Not a date: %(value)s (write it as 2020-02-01)")
        raise BadFilter(message, {"value": text}) from None


@dataclass(frozen=True)
class FilterQuery:
    """The list's filter as a query string carries it, not yet read."""

    tab: str = "visitors"
    day: str = ""
    until: str = ""
    abnormal: str = ""
    window: str = ""
    q: str = ""


def parse_filter(asked: FilterQuery) -> tuple[str, CheckFilter]:
    """The tab and filter a query string asks for; BadFilter says what is wrong with it."""
    if asked.tab not in TABS:
        raise BadFilter(N_("There is no list called %(value)s."), {"value": asked.tab})
    first = _date(asked.day, clock.today())
    last = _date(asked.until, None)
    if last is not None and last < first:
        raise BadFilter(N_("The last day is before the first."))
    if last is not None and (last - first).days >= MAX_DAYS:
        raise BadFilter(N_("At most %(days)s days at once."), {"days": MAX_DAYS})
    if asked.window and not asked.window.isdigit():
        raise BadFilter(N_("There is no window %(value)s."), {"value": asked.window})
    text = asked.q.strip()
    if len(text) > MAX_TEXT:
        raise BadFilter(N_("The search is too long (at most %(n)s characters)."), {"n": MAX_TEXT})
    return asked.tab, CheckFilter(
        day=first,
        abnormal_only=asked.abnormal in YES,
        window_id=int(asked.window) if asked.window else None,
        text=text,
        until=last if last != first else None,
    )


def encode_cursor(row: dict, time_key: str) -> str:
    return f"{row[time_key].isoformat()}_{row['id']}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID] | None:
    try:
        moment, row_id = cursor.rsplit("_", 1)
        return dt.datetime.fromisoformat(moment), uuid.UUID(row_id)
    except ValueError:
        return None


def _page(rows: list[dict], time_key: str, size: int) -> tuple[list[dict], str | None]:
    """At most `size` rows, and the cursor of the next page when there is one."""
    if len(rows) > size:
        rows = rows[:size]
        return rows, encode_cursor(rows[-1], time_key)
    return rows, None


def _visitor_text(text: str):
    """Digits find the mobile numbers ending with them (through the index on the last four),
    a number as the lists mask it (138****5678) the numbers it may stand for; anything else a
    name or a purpose containing it. Full-width characters, as a Chinese keyboard may type
    them, count as their plain forms."""
    typed = unicodedata.normalize("NFKC", text)
    digits = typed.replace(" ", "").replace("-", "")
    if masked := MASKED_PHONE.fullmatch(digits):
        head, tail = masked.groups()
        return WhereRaw(f"{PHONE_TAIL} = {{}}", tail) & VisitorCheck.phone.like(f"{head}%{tail}")
    if PHONE_END.fullmatch(digits):
        return WhereRaw(f"{PHONE_TAIL} = {{}}", digits[-4:]) & VisitorCheck.phone.like(f"%{digits}")
    return contains(VisitorCheck.name, typed) | contains(VisitorCheck.purpose, typed)


def _after(where, time_column, id_column, cursor: str | None):
    """`where`, narrowed to the rows after the cursor (newest first)."""
    if cursor and (position := decode_cursor(cursor)):
        moment, row_id = position
        # The plain bound lets the index start at the cursor; the OR alone it cannot use,
        # and page N would walk the N-1 pages before it.
        where &= time_column <= moment
        where &= (time_column < moment) | ((time_column == moment) & (id_column < row_id))
    return where


def _period(filt: CheckFilter, time_column, status_column):
    """The filter's days, and abnormal only when asked: what both lists share."""
    start, end = filt.bounds()
    where = (time_column >= start) & (time_column < end)
    if filt.abnormal_only:
        where &= status_column.is_in(ABNORMAL)
    return where


def _visitor_where(filt: CheckFilter):
    where = _period(filt, VisitorCheck.time_in, VisitorCheck.status)
    if filt.window_id:
        where &= VisitorCheck.window == filt.window_id
    if filt.text:
        where &= _visitor_text(filt.text)
    return where


def _staff_where(filt: CheckFilter):
    where = _period(filt, StaffCheck.taken_at, StaffCheck.status)
    if filt.text:
        where &= contains(StaffCheck.person.name, filt.text)
    return where


async def visitor_checks(filt: CheckFilter, cursor: str | None = None, size: int = PAGE_SIZE):
    """One page of the filter's visitor checks, newest first, and the next page's cursor."""
    where = _after(_visitor_where(filt), VisitorCheck.time_in, VisitorCheck.id, cursor)
    rows = (
        await VisitorCheck.select(
            *VisitorCheck.all_columns(),
            VisitorCheck.window.code.as_alias("window_code"),
            VisitorCheck.recorded_by.username.as_alias("recorded_by_name"),
        )
        .where(where)
        .order_by(VisitorCheck.time_in, VisitorCheck.id, ascending=False)
        .limit(size + 1)
    )
    return _page(rows, "time_in", size)


async def staff_checks(filt: CheckFilter, cursor: str | None = None, size: int = PAGE_SIZE):
    """One page of the filter's staff checks, newest first, and the next page's cursor."""
    where = _after(_staff_where(filt), StaffCheck.taken_at, StaffCheck.id, cursor)
    rows = (
        await StaffCheck.select(
            *StaffCheck.all_columns(),
            StaffCheck.person.name.as_alias("person_name"),
            StaffCheck.person.department.name.as_alias("department_name"),
            StaffCheck.recorded_by.username.as_alias("recorded_by_name"),
        )
        .where(where)
        .order_by(StaffCheck.taken_at, StaffCheck.id, ascending=False)
        .limit(size + 1)
    )
    return _page(rows, "taken_at", size)


LISTS = {"visitors": visitor_checks, "staff": staff_checks}


async def count_checks(tab: str, filt: CheckFilter) -> int:
    """How many checks the filter selects (all pages)."""
    if tab == "visitors":
        return await VisitorCheck.count().where(_visitor_where(filt))
    return await StaffCheck.count().where(_staff_where(filt))


async def every_check(tab: str, filt: CheckFilter) -> AsyncIterator[list[dict]]:
    """Every check the filter selects, newest first, a batch at a time: each batch one
    keyset query, so a month of a busy hall is a few dozen queries, none of them scanning
    what the ones before it returned."""
    lister, cursor = LISTS[tab], None
    while True:
        rows, cursor = await lister(filt, cursor, EXPORT_BATCH)
        if rows:
            yield rows
        if cursor is None:
            return
