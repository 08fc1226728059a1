"""The database engine chosen by HALLWATCH_DB: embedded SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from contextvars import ContextVar
from urllib.parse import urlsplit

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from server import cache
from sync.db import engine, write_transaction

__all__ = [
    "engine",
    "write_transaction",
    "request_reads",
    "engine_from_url",
    "contains",
    "describe",
]

# Writers wait this long for SQLite's lock instead of failing with "database is locked".
SQLITE_BUSY_SECONDS = 30


def engine_from_url(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        enable_wal(path)
        return RequestReadsSQLiteEngine(path=path, timeout=SQLITE_BUSY_SECONDS)
    if url.startswith(("postgresql://", "postgres://")):
        return RecoveringPostgresEngine(config={"dsn": url})
    raise ValueError(f"HALLWATCH_DB must start with sqlite:/// or postgresql://, got {url!r}")


# What a connection says once PostgreSQL went away under it (restart, crash, terminated
# backend): the connection is dead, and with it whatever transaction it had open.
CONNECTION_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)


def is_select(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


class TellsTheCacheOfWrites:
    """After any statement but a SELECT (it may have written a cached table), and after every
    transaction (its writes are committed now), the task's next use of the cache reads the
    stamps again (server/cache). Statements are told apart by their SQL: Piccolo marks most,
    SELECT or not, with the same "generic" query type."""

    async def run_querystring(self, querystring, *args, **kwargs):
        try:
            return await super().run_querystring(querystring, *args, **kwargs)
        finally:
            if not is_select(querystring.template):
                cache.written()

    async def run_ddl(self, ddl, *args, **kwargs):
        try:
            return await super().run_ddl(ddl, *args, **kwargs)
        finally:
            cache.written()


class RecoveringTransaction(PostgresTransaction):
    """Piccolo's transaction, except that leaving it on a dead connection still hands the
    connection back to the pool and clears the task's current transaction. Piccolo's own
    exit tries ROLLBACK first; on a connection PostgreSQL closed (a restart) that raises
    "the underlying connection is closed", which skipped the release and replaced the real
    error (AdminShutdownError, a 503) with an InterfaceError (a 500)."""

    __slots__ = ()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is None:
                if not self._committed and not self._rolled_back:
                    await self.commit()
            elif not self._rolled_back:
                # On a dead connection PostgreSQL already rolled it back.
                with contextlib.suppress(CONNECTION_LOST):
                    await self.rollback()
        finally:
            if self.engine.pool:
                # A closed connection is dropped by the pool and replaced on a later acquire.
                await self.engine.pool.release(self.connection)
            else:
                await self.connection.close()
            self.engine.current_transaction.reset(self.context)
            cache.written()
        return False


class RecoveringPostgresEngine(TellsTheCacheOfWrites, PostgresEngine):
    """PostgresEngine whose transactions survive a PostgreSQL restart (see above); the pool
    itself reconnects: asyncpg replaces a closed connection when it is next acquired."""

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return RecoveringTransaction(engine=self, allow_nested=allow_nested)


class _ReadConnection:
    """The SQLite connection one request reads on, opened at its first read."""

    def __init__(self) -> None:
        self.connection: aiosqlite.Connection | None = None
        self.closed = False
        self._opening = asyncio.Lock()

    async def open(self, kwargs: dict) -> aiosqlite.Connection:
        async with self._opening:
            if self.connection is None:
                self.connection = await aiosqlite.connect(**kwargs)
                self.connection.row_factory = dict_factory
        return self.connection

    async def close(self) -> None:
        self.closed = True
        if self.connection is not None:
            await self.connection.close()


_REQUEST_READS: ContextVar[_ReadConnection | None] = ContextVar("request_reads", default=None)


class EndingTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction, telling the cache when it ends (TellsTheCacheOfWrites)."""

    __slots__ = ()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        try:
            return await super().__aexit__(exception_type, exception, traceback)
        finally:
            cache.written()


class RequestReadsSQLiteEngine(TellsTheCacheOfWrites, SQLiteEngine):
    """Piccolo's SQLite engine opens a connection for every query outside a transaction (a
    thread, the file, the schema parsed anew, a PRAGMA and a COMMIT): more work than a small
    query, and a page makes several. Inside `request_reads()` a SELECT outside a transaction
    runs on the request's one connection instead. It is in autocommit mode and holds no
    transaction between statements, so each read sees everything committed before it, as
    on a fresh connection. Writes and transactions go exactly as before."""

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested=True
    ) -> SQLiteTransaction:
        return EndingTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    _wal_keeper: sqlite3.Connection | None = None

    def keep_wal_open(self) -> None:
        """Hold one idle connection open while the app runs. When the last connection to a
        WAL database closes, SQLite checkpoints the whole log into the file and deletes it,
        and Piccolo closes its connection after every transaction: without this, a write's
        close ran that checkpoint on the request's time (8 ms after a 1,000-entry push) and
        the log was made anew at the next write. With it, SQLite checkpoints when the log
        reaches 1,000 pages, as for any long-lived connection. Idle and in autocommit, it
        holds no read snapshot, so it never holds a checkpoint back."""
        if self._wal_keeper is None:
            self._wal_keeper = sqlite3.connect(self.path, timeout=SQLITE_BUSY_SECONDS)
            # SQLite opens the file at the first statement that reads it, not at connect.
            self._wal_keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()

    def release_wal(self) -> None:
        if self._wal_keeper is not None:
            self._wal_keeper.close()
            self._wal_keeper = None

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        reads = _REQUEST_READS.get()
        if reads is None or reads.closed or not is_select(query):
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = await reads.open(self.connection_kwargs)
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()


@contextlib.asynccontextmanager
async def request_reads():
    """One request's reads on one SQLite connection (see RequestReadsSQLiteEngine). On
    PostgreSQL the pool already hands out open connections: nothing changes there."""
    if not isinstance(engine(), RequestReadsSQLiteEngine):
        yield
        return
    reads = _ReadConnection()
    token = _REQUEST_READS.set(reads)
    try:
        yield
    finally:
        _REQUEST_READS.reset(token)
        await reads.close()


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
    elif isinstance(db, RequestReadsSQLiteEngine):
        db.keep_wal_open()


async def stop(db: Engine) -> None:
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
    elif isinstance(db, RequestReadsSQLiteEngine):
        db.release_wal()
