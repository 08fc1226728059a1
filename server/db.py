"""The database engine chosen by HALLWATCH_DB: embedded SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from sync.db import engine, write_transaction

__all__ = ["engine", "write_transaction", "engine_from_url", "contains", "describe"]

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


async def start(db: Engine) -> None:
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=10)


async def stop(db: Engine) -> None:
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
