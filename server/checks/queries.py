"""The office's view of the checks: filtered, keyset-paged lists (no OFFSET scans)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server import clock
from server.checks.tables import CheckStatus, StaffCheck, VisitorCheck
from server.db import contains

PAGE_SIZE = 25
ABNORMAL = [CheckStatus.remeasure, CheckStatus.cleared, CheckStatus.held]


@dataclass(frozen=True)
class CheckFilter:
    """What the office asked for: one local day, abnormal only, a window, free text."""

    day: dt.date
    abnormal_only: bool = False
    window_id: int | None = None
    text: str = ""


def encode_cursor(row: dict, time_key: str) -> str:
    return f"{row[time_key].isoformat()}_{row['id']}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID] | None:
    try:
        moment, row_id = cursor.rsplit("_", 1)
        return dt.datetime.fromisoformat(moment), uuid.UUID(row_id)
    except ValueError:
        return None


def _page(rows: list[dict], time_key: str) -> tuple[list[dict], str | None]:
    """At most PAGE_SIZE rows, and the cursor of the next page when there is one."""
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        return rows, encode_cursor(rows[-1], time_key)
    return rows, None


async def visitor_checks(filt: CheckFilter, cursor: str | None = None):
    """One page of a day's visitor checks, newest first, and the next page's cursor."""
    start, end = clock.day_bounds(filt.day)
    where = (VisitorCheck.time_in >= start) & (VisitorCheck.time_in < end)
    if filt.abnormal_only:
        where &= VisitorCheck.status.is_in(ABNORMAL)
    if filt.window_id:
        where &= VisitorCheck.window == filt.window_id
    if filt.text:
        where &= (
            contains(VisitorCheck.name, filt.text)
            | contains(VisitorCheck.phone, filt.text)
            | contains(VisitorCheck.purpose, filt.text)
        )
    if cursor and (position := decode_cursor(cursor)):
        moment, row_id = position
        where &= (VisitorCheck.time_in < moment) | (
            (VisitorCheck.time_in == moment) & (VisitorCheck.id < row_id)
        )
    rows = (
        await VisitorCheck.select(
            *VisitorCheck.all_columns(),
            VisitorCheck.window.code.as_alias("window_code"),
        )
        .where(where)
        .order_by(VisitorCheck.time_in, VisitorCheck.id, ascending=False)
        .limit(PAGE_SIZE + 1)
    )
    return _page(rows, "time_in")


async def staff_checks(filt: CheckFilter, cursor: str | None = None):
    """One page of a day's staff checks, newest first, and the next page's cursor."""
    start, end = clock.day_bounds(filt.day)
    where = (StaffCheck.taken_at >= start) & (StaffCheck.taken_at < end)
    if filt.abnormal_only:
        where &= StaffCheck.status.is_in(ABNORMAL)
    if filt.text:
        where &= contains(StaffCheck.person.name, filt.text)
    if cursor and (position := decode_cursor(cursor)):
        moment, row_id = position
        where &= (StaffCheck.taken_at < moment) | (
            (StaffCheck.taken_at == moment) & (StaffCheck.id < row_id)
        )
    rows = (
        await StaffCheck.select(
            *StaffCheck.all_columns(),
            StaffCheck.person.name.as_alias("person_name"),
            StaffCheck.person.department.name.as_alias("department_name"),
        )
        .where(where)
        .order_by(StaffCheck.taken_at, StaffCheck.id, ascending=False)
        .limit(PAGE_SIZE + 1)
    )
    return _page(rows, "taken_at")
