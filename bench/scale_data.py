"""Rows for the at-scale benchmark, written straight into the migrated schema (sqlite3
executemany, or asyncpg COPY), not through the app: a million visitor checks load in a minute
instead of hours.

The rows look like a busy hall's: Chinese names, 11-digit mobile numbers, half with an ID
number, a window and its purpose, opening hours in the hall's time zone, ~2 % abnormal first
readings (most cleared on re-measure, a third held, a few still waiting), staff measured on
arrival and leaving, and a declaration from almost everyone every day."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import uuid
from collections.abc import Iterator

from server import clock
from server.demo_roster import GIVEN, SURNAMES

VISITOR_COLUMNS = (
    "id", "name", "phone", "id_number", "purpose", "window", "temperature",
    "remeasure_temperature", "symptoms", "symptoms_other", "travel_or_contact", "status",
    "time_in", "time_out", "device", "recorded_by", "created_at", "version", "field_meta",
    "clock_flag",
)  # fmt: skip
STAFF_COLUMNS = (
    "id", "person", "direction", "temperature", "remeasure_temperature", "status", "taken_at",
    "device", "recorded_by", "created_at", "version", "clock_flag",
)  # fmt: skip
DECLARATION_COLUMNS = (
    "id", "person", "day", "day_key", "temperature", "work_mode", "submitted_at", "updated_at",
)  # fmt: skip
PERSON_COLUMNS = ("name", "department", "title", "group_role", "phone", "active")
OPENING_MINUTES = (8 * 60 + 30, 17 * 60)
ABNORMAL_SHARE = 0.02


def days_back(days: int) -> list[dt.date]:
    today = clock.today()
    return [today - dt.timedelta(days=back) for back in range(days - 1, -1, -1)]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _normal(rng: random.Random) -> float:
    return round(36.2 + rng.random() * 0.8, 1)


def _reading(rng: random.Random) -> tuple[float, float | None, str]:
    """First reading, re-measure and status (SPEC rule 3)."""
    if rng.random() >= ABNORMAL_SHARE:
        return _normal(rng), None, "normal"
    first = round(37.3 + rng.random() * 1.2, 1)
    roll = rng.random()
    if roll < 0.6:
        return first, _normal(rng), "cleared"
    if roll < 0.9:
        return first, round(37.3 + rng.random(), 1), "held"
    return first, None, "remeasure"


def visitor_rows(
    count: int, days: int, windows: list[tuple[int, str]], desk: int | None, seed: int
) -> Iterator[tuple]:
    """`count` visitor checks spread evenly over the last `days` days' opening hours
    (today's up to now)."""
    rng = random.Random(seed)
    now = clock.now()
    dates = days_back(days)
    for n in range(count):
        day = dates[n * len(dates) // count]
        start, _ = clock.day_bounds(day)
        at = start + dt.timedelta(seconds=rng.randrange(*(m * 60 for m in OPENING_MINUTES)))
        if at > now:  # today's future: the most recent past minutes instead
            at = now - dt.timedelta(seconds=rng.randrange(1, 3600))
        window, code, purpose = windows[rng.randrange(len(windows))]
        temperature, remeasure, status = _reading(rng)
        yield (
            uuid.UUID(int=rng.getrandbits(128), version=4),
            _name(rng),
            _mobile(rng),
            _id_number(rng) if rng.random() < 0.5 else "",
            f"{code} {purpose}",
            window,
            temperature,
            remeasure,
            "cough" if status == "held" and rng.random() < 0.5 else "",
            "",
            False,
            status,
            at,
            None if status == "held" else at + dt.timedelta(minutes=rng.randrange(10, 60)),
            "desk-phone-1",
            desk,
            at,
            1,
            "{}",
            "",
        )


def _id_number(rng: random.Random) -> str:
    # Shape only (the checksum is not checked on stored rows).
    return f"370402{rng.randrange(1950, 2005)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(10000):04d}"  # noqa: E501


def staff_rows(people: list[int], days: int, desk: int | None, seed: int) -> Iterator[tuple]:
    """Each person measured on arrival (08:00–08:30) and on leaving (17:00–17:30), up to now."""
    rng = random.Random(seed)
    now = clock.now()
    for day in days_back(days):
        start, _ = clock.day_bounds(day)
        for person in people:
            for direction, minute in (("arrival", 8 * 60), ("leaving", 17 * 60)):
                at = start + dt.timedelta(seconds=rng.randrange(minute * 60, (minute + 30) * 60))
                if at > now:
                    continue
                temperature, remeasure, status = _reading(rng)
                yield (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    person, direction, temperature, remeasure, status, at,
                    "desk-phone-1", desk, at, 1, "",
                )  # fmt: skip


def declaration_rows(people: list[int], days: int, seed: int) -> Iterator[tuple]:
    """A declaration from ~95 % of the staff every day, before 09:00 mostly."""
    rng = random.Random(seed)
    for day in days_back(days):
        start, _ = clock.day_bounds(day)
        for person in people:
            if rng.random() < 0.05:
                continue
            at = start + dt.timedelta(seconds=rng.randrange(7 * 3600, 10 * 3600))
            mode = rng.choices(("on_site", "from_home", "leave"), (90, 7, 3))[0]
            yield (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                person, day, f"{person}|{day.isoformat()}", _normal(rng), mode, at, at,
            )  # fmt: skip


def person_rows(count: int, departments: list[int], seed: int) -> list[tuple]:
    rng = random.Random(seed)
    return [
        (_name(rng), departments[n % len(departments)], "", "", _mobile(rng), True)
        for n in range(count)
    ]


# Writing: SQLite ---------------------------------------------------------------------------


def _sqlite_value(value):
    """What Piccolo itself stores on SQLite: UUIDs and dates as text, timestamps as
    'YYYY-MM-DD HH:MM:SS+00:00'."""
    if isinstance(value, uuid.UUID | dt.date):
        return str(value)
    return value


def sqlite_insert(path: str, table: str, columns: tuple[str, ...], rows, chunk=50_000) -> int:
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(columns))})'
    written = 0
    with sqlite3.connect(path) as conn:
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) == chunk:
                conn.executemany(sql, batch)
                written += len(batch)
                batch = []
        conn.executemany(sql, batch)
        written += len(batch)
    return written


def sqlite_query(path: str, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


# Writing: PostgreSQL -----------------------------------------------------------------------


async def pg_insert(dsn: str, table: str, columns: tuple[str, ...], rows, chunk=50_000) -> int:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    written = 0
    try:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == chunk:
                await conn.copy_records_to_table(table, columns=list(columns), records=batch)
                written += len(batch)
                batch = []
        if batch:
            await conn.copy_records_to_table(table, columns=list(columns), records=batch)
            written += len(batch)
        # As autovacuum does within a minute of a load (the check tables vacuum after inserts
        # of 1 % of their rows): statistics, and the visibility map the index-only counts use.
        await conn.execute(f'VACUUM (ANALYZE) "{table}"')
    finally:
        await conn.close()
    return written


async def pg_query(dsn: str, sql: str) -> list[tuple]:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()
