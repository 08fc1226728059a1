"""Reference data nearly every request reads and that seldom changes (the settings, the
roster, the windows, the disinfection points, the emergency switch, the logged-in account),
kept in each app process and loaded again as soon as it changes.

Triggers (this app's migrations) stamp a new random number into `data_generation` for a
table at every write to it, whoever writes: a page, the sync, the CLI, another app process, a
restore. Before a kept answer is used, the stamps are read (one small query for all tables);
an answer kept under other stamps is loaded again. A request's own task reads the stamps
once (`per_request`), and again after it has written anything (the engines call `written`
after each write and each transaction); tasks it starts, jobs and the CLI read them at every
use. Inside a transaction nothing is kept or served from here: the transaction sees its own
writes before they commit, and may roll them back.

An answer is kept only when the stamps read just before and just after loading it are the
same, so no write committed in between: a kept answer is exactly the data of its stamps.
Random stamps, not counters: a database put back from a backup or a snapshot brings back its
stamps with its data, and cannot bring back a stamp that some process kept other data under."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from server.cache.tables import DataGeneration
from sync.db import current_transaction

# The tables with a stamp and its triggers (the migration cache_2026_12_04t16_48_00_000000).
TABLES = frozenset(
    {
        "setting",
        "person",
        "department",
        "hall_window",
        "disinfection_point",
        "emergency_switch",
        "user_account",
    }
)

P = ParamSpec("P")
T = TypeVar("T")

# Every kept loader and the tables it declared (tests/unit/test_cache.py checks each reads
# no other table).
LOADERS: list[tuple[Callable, tuple[str, ...]]] = []


class _RequestStamps:
    """The stamps one request's task read, until it writes something or the request ends.
    Tasks the request starts run beside it (one may write while another reads), so they do
    not share them."""

    def __init__(self) -> None:
        self.stamps: dict[str, int] | None = None
        self.task = asyncio.current_task()
        self.open = True

    def usable(self) -> bool:
        return self.open and self.task is asyncio.current_task()


_REQUEST: ContextVar[_RequestStamps | None] = ContextVar("request_stamps", default=None)


@contextlib.contextmanager
def per_request():
    """Read the stamps at most once in this request (until it writes). A task the request
    started and that outlives it reads them afresh."""
    request = _RequestStamps()
    token = _REQUEST.set(request)
    try:
        yield
    finally:
        request.open = False
        _REQUEST.reset(token)


def written() -> None:
    """This task wrote to the database: its next use of the cache reads the stamps again."""
    request = _REQUEST.get()
    if request is not None:
        request.stamps = None


async def _stamps(fresh: bool = False) -> dict[str, int]:
    request = _REQUEST.get()
    mine = request is not None and request.usable()
    if mine and request.stamps is not None and not fresh:
        return request.stamps
    rows = await DataGeneration.select(DataGeneration.name, DataGeneration.generation)
    stamps = {row["name"]: row["generation"] for row in rows}
    if mine:
        request.stamps = stamps
    return stamps


def _handed_out(value):
    # A fresh list or dict each time, so a caller adding to or sorting what it was given
    # cannot change what the next caller gets. The rows in it are shared: read them only.
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _of(tables: tuple[str, ...], stamps: dict[str, int]) -> tuple:
    return tuple(stamps.get(table) for table in tables)


def kept(*tables: str) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Keep `loader(*args)`'s answer, per arguments, until one of `tables` is written to."""
    unknown = set(tables) - TABLES
    if unknown:
        raise ValueError(f"no stamp is kept for {sorted(unknown)}: see server/cache")

    def decorate(loader: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        answers: dict[tuple, tuple[tuple, T]] = {}

        @functools.wraps(loader)
        async def cached(*args: P.args, **kwargs: P.kwargs) -> T:
            if current_transaction() is not None or kwargs:
                return await loader(*args, **kwargs)
            wanted = _of(tables, await _stamps())
            kept_answer = answers.get(args)
            if kept_answer is not None and kept_answer[0] == wanted:
                return _handed_out(kept_answer[1])
            answer = await loader(*args)
            after = _of(tables, await _stamps(fresh=True))
            # Kept when nothing was written meanwhile, and every table has its stamp.
            if after == wanted and None not in wanted:
                answers[args] = (wanted, answer)
            return _handed_out(answer)

        LOADERS.append((loader, tables))
        return cached

    return decorate
