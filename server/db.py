"""The database engine chosen by HALLWATCH_DB: embedded SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import sqlite3
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

# Writers wait this long for SQLite's lock instead of failing with "database is locked".
SQLITE_BUSY_SECONDS = 30


def engine_from_url(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        enable_wal(path)
        return SQLiteEngine(path=path, timeout=SQLITE_BUSY_SECONDS)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": url})
    raise ValueError(f"HALLWATCH_DB must start with sqlite:/// or postgresql://, got {url!r}")


def enable_wal(path: str) -> None:
    """WAL lets readers go on while one writer commits; the mode is stored in the file."""
    with sqlite3.connect(path, timeout=SQLITE_BUSY_SECONDS) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def engine() -> Engine:
    found = engine_finder()
    assert found is not None, "server.piccolo_conf defines DB"
    return found


def describe(url: str) -> str:
    """The database URL without any password, for logs and /healthz."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def contains(column, text: str):
    """Case-insensitive substring match: ILIKE on PostgreSQL; SQLite's LIKE already ignores
    ASCII case and has no ILIKE."""
    pattern = f"%{text}%"
    return column.like(pattern) if isinstance(engine(), SQLiteEngine) else column.ilike(pattern)


@asynccontextmanager
async def write_transaction():
    """A transaction that takes SQLite's write lock up front (IMMEDIATE), so two concurrent
    writers queue on the busy timeout instead of deadlocking on a lock upgrade."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate) as txn:
            yield txn
    else:
        async with db.transaction() as txn:
            yield txn


async def start(db: Engine) -> None:
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=10)


async def stop(db: Engine) -> None:
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
