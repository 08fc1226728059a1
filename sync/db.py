"""Transactions the sync core needs, on whichever engine Piccolo was given."""

from __future__ import annotations

from collections.abc import Sequence
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


async def insert_many(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert `rows` (values in the order of `columns`) on the open transaction's own
    connection: one prepared statement stepped once per row on SQLite, COPY on PostgreSQL
    (the fastest bulk path each driver has; both commit or vanish with the transaction).
    Columns left out take their defaults. Values are Python objects (UUID, datetime, str
    for JSON): Piccolo's adapters convert them on SQLite, asyncpg's codecs on PostgreSQL."""
    if not rows:
        return
    connection = current_transaction().connection
    if is_sqlite():
        # Quoted: "window" is a reserved word in PostgreSQL and harmless to quote here.
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        await connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    else:
        await connection.copy_records_to_table(table, columns=list(columns), records=rows)


async def fetch(sql: str, *args) -> list:
    """Rows (each readable by column name) of `sql`, with `?` placeholders, run on the open
    transaction's own connection: no query builder, no connection of its own."""
    connection = current_transaction().connection
    if is_sqlite():
        async with connection.execute(sql, args) as cursor:
            return list(await cursor.fetchall())
    return await connection.fetch(_numbered(sql), *args)


def any_of(column: str, values: list) -> tuple[str, tuple]:
    """A condition "`column` is one of `values`" and its parameters for `fetch`: one array
    parameter on PostgreSQL, one parameter per value on SQLite (which has no arrays)."""
    if is_sqlite():
        return f"{column} IN ({', '.join('?' * len(values))})", tuple(values)
    return f"{column} = ANY(?)", (values,)
