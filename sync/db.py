"""Transactions the sync core needs, on whichever engine Piccolo was given."""

from __future__ import annotations

from contextlib import asynccontextmanager

from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def engine() -> Engine:
    """The engine of the Piccolo configuration in force."""
    found = engine_finder()
    assert found is not None, "PICCOLO_CONF names a module that defines DB"
    return found


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


@asynccontextmanager
async def write_transaction():
    """A transaction that takes SQLite's write lock up front (IMMEDIATE), so two concurrent
    writers queue on the busy timeout instead of deadlocking on a lock upgrade. Inside an
    open transaction it joins that one."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate) as txn:
            yield txn
    else:
        async with db.transaction() as txn:
            yield txn


def current_transaction():
    """The transaction this task is inside, or None."""
    return engine().current_transaction.get()


def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's $1, $2, … (the statements here quote no `?`)."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


async def executemany(sql: str, rows: list[tuple]) -> None:
    """Run `sql` (with `?` placeholders) once per row on the open transaction's own
    connection: one prepared statement instead of one compiled query per row."""
    if not rows:
        return
    connection = current_transaction().connection
    if is_sqlite():
        await connection.executemany(sql, rows)
    else:
        await connection.executemany(_numbered(sql), rows)
