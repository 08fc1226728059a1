"""Reference data nearly every request reads and that seldom changes (the settings, the
roster, the windows, the disinfection points, the emergency switch, the logged-in account),
kept in each app process and loaded again as soon as it changes.

Triggers (this app's migrations) stamp a new random number into `data_generation` for a
table at every write to it, whoever writes: a page, the sync, the CLI, another app process, a
restore. Before a kept answer is used, the stamps are read (one small query for all tables);
an answer kept under other stamps is loaded again. A request reads the stamps once
(`per_request`), and again after it has written anything (the engines call `written`); jobs
and the CLI read them at every use. Inside a transaction nothing is kept or served from
here: the transaction sees its own writes before they commit, and may roll them back.

Random stamps, not counters: a database put back from a backup or a snapshot cannot bring
back a stamp that some process kept other data under."""

from __future__ import annotations

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


class _RequestStamps:
    """The stamps one request read, until it writes something or ends."""

    def __init__(self) -> None:
        self.stamps: dict[str, int] | None = None
        self.open = True


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


async def _stamps() -> dict[str, int]:
    request = _REQUEST.get()
    if request is not None and request.open and request.stamps is not None:
        return request.stamps
    rows = await DataGeneration.select(DataGeneration.name, DataGeneration.generation)
    stamps = {row["name"]: row["generation"] for row in rows}
    if request is not None and request.open:
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
            stamps = await _stamps()
            wanted = tuple(stamps.get(table) for table in tables)
            kept_answer = answers.get(args)
            if kept_answer is not None and kept_answer[0] == wanted:
                return _handed_out(kept_answer[1])
            answer = await loader(*args)
            if None not in wanted:  # a table without its stamp (emptied by hand): no keeping
                answers[args] = (wanted, answer)
            return _handed_out(answer)

        return cached

    return decorate
