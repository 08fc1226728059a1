"""Helpers shared by the test groups: wiping the database, seeding, logging in."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from server.audit.tables import AuditEntry
from server.cache.tables import DataGeneration
from server.checks.tables import VisitorCheck
from server.db import enable_wal, engine
from server.migrations import migrate
from sync.tables import AppliedMutation

STAMPS = DataGeneration._meta.tablename

DEMO_PASSWORD = "demo-password-1"


_schema_ready = False


async def reset_database() -> None:
    """An empty database at the latest schema. The first call of a test run drops everything
    (Piccolo's migration table too) and migrates from nothing; later calls only empty the
    tables, which is the same state in a fraction of the time. The one table a migration
    fills, the cache's stamps, keeps its rows (a table that had rows is stamped anew as it is
    emptied)."""
    global _schema_ready
    db = engine()
    if _schema_ready:
        await _empty_tables(db)
        return
    if isinstance(db, PostgresEngine):
        await db._run_in_new_connection("DROP SCHEMA public CASCADE")
        await db._run_in_new_connection("CREATE SCHEMA public")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(db.path + suffix).unlink(missing_ok=True)
        enable_wal(db.path)
    await migrate()
    _schema_ready = True


async def _empty_tables(db) -> None:
    if isinstance(db, PostgresEngine):
        rows = await db._run_in_new_connection(
            "SELECT tablename FROM pg_tables"
            f" WHERE schemaname = 'public' AND tablename NOT IN ('migration', '{STAMPS}')"
        )
        names = ", ".join(f'"{r["tablename"]}"' for r in rows)
        await db._run_in_new_connection(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    with sqlite3.connect(db.path, timeout=30) as connection:
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            f"AND name NOT IN ('migration', '{STAMPS}')"
        ).fetchall()
        connection.execute("PRAGMA foreign_keys = OFF")
        for (name,) in tables:
            connection.execute(f'DELETE FROM "{name}"')
        # AUTOINCREMENT counters start again, as on a fresh database.
        if connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone():
            connection.execute("DELETE FROM sqlite_sequence")


# The id counter of Piccolo's migration table, which snapshots leave alone (see fingerprint).
MIGRATION_IDS = "migration_id_seq"

# Where a PostgreSQL snapshot keeps its copy of the tables: a schema beside `public` (off the
# search path) named with this prefix and the snapshot's name.
SNAPSHOT_SCHEMA = "hallwatch_test_snapshot"


@dataclass
class Snapshot:
    """A copy of the whole database taken by `take_snapshot`, for `restore_snapshot`.
    SQLite: a file written with the online backup API. PostgreSQL: every table's rows copied
    into a schema of its own, the tables to refill in foreign-key order, the sequences' values."""

    file: Path | None = None
    schema: str = ""
    tables: list[tuple[str, str]] = field(default_factory=list)  # (table, its column list)
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)
    fingerprint: dict[str, tuple[int, str]] = field(default_factory=dict)


async def take_snapshot(name: str, folder: Path) -> Snapshot:
    """Copy the database's contents (on PostgreSQL not Piccolo's migration table, which tests
    never change), as `folder`/`name`.db or the schema SNAPSHOT_SCHEMA_`name`."""
    db = engine()
    if not isinstance(db, PostgresEngine):
        file = folder / f"{name}.db"
        _sqlite_copy(db.path, str(file))
        return Snapshot(file=file, fingerprint=await fingerprint())
    schema = f"{SNAPSHOT_SCHEMA}_{name}"
    connection = await asyncpg.connect(db.config["dsn"])
    try:
        async with connection.transaction():
            tables = await _pg_tables_in_fk_order(connection)
            script = [
                f"DROP SCHEMA IF EXISTS {schema} CASCADE",
                f"CREATE SCHEMA {schema}",
            ]
            script += [f'CREATE TABLE {schema}."{t}" AS SELECT {c} FROM "{t}"' for t, c in tables]
            await connection.execute(";\n".join(script))
            sequences = {
                r["sequencename"]: (r["value"], r["called"])
                for r in await connection.fetch(
                    "SELECT sequencename, coalesce(last_value, start_value) AS value,"
                    " last_value IS NOT NULL AS called FROM pg_sequences"
                    f" WHERE schemaname = 'public' AND sequencename <> '{MIGRATION_IDS}'"
                )
            }
    finally:
        await connection.close()
    return Snapshot(
        schema=schema, tables=tables, sequences=sequences, fingerprint=await fingerprint()
    )


async def restore_snapshot(snapshot: Snapshot) -> None:
    """Put the database back as it was when `snapshot` was taken: every row, and every
    identity counter (AUTOINCREMENT, sequences), so new rows get the same ids as then. No
    connection may be using the database meanwhile (no server running)."""
    db = engine()
    if snapshot.file is not None:
        _sqlite_copy(str(snapshot.file), db.path)
    else:
        rows = await db._run_in_new_connection(
            "SELECT tablename FROM pg_tables"
            " WHERE schemaname = 'public' AND tablename <> 'migration'"
        )
        every_table = ", ".join(f'"{r["tablename"]}"' for r in rows)
        # Triggers off: the cache's stamps are put back as they were, not stamped anew.
        script = ["SET LOCAL session_replication_role = replica"]
        script += [f"TRUNCATE {every_table} RESTART IDENTITY CASCADE"]
        script += [
            f'INSERT INTO "{t}" ({c}) OVERRIDING SYSTEM VALUE'
            f' SELECT {c} FROM {snapshot.schema}."{t}"'
            for t, c in snapshot.tables
        ]
        script += [
            f"SELECT setval('public.\"{name}\"', {value}, {called})"
            for name, (value, called) in snapshot.sequences.items()
        ]
        connection = await asyncpg.connect(db.config["dsn"])
        try:
            async with connection.transaction():
                await connection.execute(";\n".join(script))
        finally:
            await connection.close()
    restored = await fingerprint()
    assert restored == snapshot.fingerprint, _differences(snapshot.fingerprint, restored)


async def drop_snapshot(snapshot: Snapshot) -> None:
    if snapshot.file is not None:
        snapshot.file.unlink(missing_ok=True)
    else:
        await engine()._run_in_new_connection(f"DROP SCHEMA IF EXISTS {snapshot.schema} CASCADE")


async def fingerprint() -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows, and each identity counter's value:
    what a restore must give back (`restore_snapshot` checks it). On PostgreSQL not Piccolo's
    migration table nor its id counter, which a snapshot leaves alone (a test that migrates
    backwards and forwards again rewrites its rows: put back, the counter would hand out an
    id a row still has; SQLite's whole-file copy puts both back)."""
    db = engine()
    if isinstance(db, PostgresEngine):
        tables = [
            r["tablename"]
            for r in await db._run_in_new_connection(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'migration' ORDER BY 1"
            )
        ]
        contents = " UNION ALL ".join(
            f"SELECT '{t}' AS name, count(*) AS n,"
            f" md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) AS digest"
            f' FROM "{t}" r'
            for t in tables
        )
        counters = (
            "SELECT 'sequence ' || sequencename, coalesce(last_value, 0),"
            " (last_value IS NOT NULL)::text FROM pg_sequences"
            f" WHERE schemaname = 'public' AND sequencename <> '{MIGRATION_IDS}'"
        )
        rows = await db._run_in_new_connection(f"{contents} UNION ALL {counters}")
        return {r["name"]: (r["n"], r["digest"]) for r in rows}
    connection = sqlite3.connect(db.path, timeout=30)
    try:
        found = {}
        for (table,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
        ).fetchall():
            rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{table}"'))
            found[table] = (len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest())
    finally:
        connection.close()
    return found


def _differences(expected: dict, found: dict) -> str:
    changed = {
        name: (expected.get(name), found.get(name))
        for name in sorted(expected.keys() | found.keys())
        if expected.get(name) != found.get(name)
    }
    return f"not the snapshot's state; (snapshot, now): {changed}"


def _sqlite_copy(source: str, target: str) -> None:
    """Replace `target`'s contents with `source`'s through SQLite's online backup API, which
    also copies sqlite_sequence (the AUTOINCREMENT counters) and works on a WAL database."""
    source_db = sqlite3.connect(source, timeout=30)
    target_db = sqlite3.connect(target, timeout=30)
    try:
        source_db.backup(target_db)
    finally:
        source_db.close()
        target_db.close()


async def _pg_tables_in_fk_order(connection) -> list[tuple[str, str]]:
    """Every table of `public` but the migration table, each after the tables its foreign
    keys point to (so a refill never meets a missing parent), with its columns but
    generated ones (which cannot be inserted)."""
    columns: dict[str, list[str]] = {}
    for r in await connection.fetch(
        "SELECT c.relname, a.attname FROM pg_attribute a"
        " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'migration'"
        " AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''"
        " ORDER BY c.relname, a.attnum"
    ):
        columns.setdefault(r["relname"], []).append(f'"{r["attname"]}"')
    parents: dict[str, set[str]] = {t: set() for t in columns}
    for r in await connection.fetch(
        "SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k"
        " JOIN pg_class child ON child.oid = k.conrelid"
        " JOIN pg_class parent ON parent.oid = k.confrelid"
        " JOIN pg_namespace n ON n.oid = child.relnamespace"
        " WHERE k.contype = 'f' AND n.nspname = 'public'"
    ):
        if r["child"] in parents and r["parent"] != r["child"]:
            parents[r["child"]].add(r["parent"])
    ordered: list[str] = []
    while parents:
        ready = sorted(t for t, p in parents.items() if not p - set(ordered))
        assert ready, f"foreign keys in a cycle: {parents}"
        ordered += ready
        for t in ready:
            del parents[t]
    return [(t, ", ".join(columns[t])) for t in ordered]


class SeededOnce:
    """A database state that `seed()` builds on an empty database once per test run; later
    `restore()` calls put back its snapshot (checked like every restore) instead of seeding
    again, and return what the seeding returned (ids are the same: they are restored too).
    `still_valid(seeded)`, when given, says whether the state may still be put back or must
    be seeded again (data relative to the hall's today, once the day changed)."""

    def __init__(self, name: str, folder: Path, seed, still_valid=None) -> None:
        self.name, self.folder, self.seed = name, folder, seed
        self.still_valid = still_valid or (lambda seeded: True)
        self.snapshot: Snapshot | None = None
        self.seeded = None

    async def restore(self):
        if self.snapshot is not None and self.still_valid(self.seeded):
            await restore_snapshot(self.snapshot)
            return self.seeded
        await self.drop()
        await reset_database()
        self.seeded = await self.seed()
        self.snapshot = await take_snapshot(self.name, self.folder)
        return self.seeded

    async def drop(self) -> None:
        if self.snapshot is not None:
            await drop_snapshot(self.snapshot)


def csrf_from(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def visitor_mutation(n: int, name: str) -> dict:
    """A phone's new visitor check as it pushes it: number `n` of its sequence."""
    from sync.ids import new_entry_id

    return {
        "id": str(new_entry_id()),
        "kind": "visitor_check.create",
        "seq": n,
        "captured_at": dt.datetime.now(dt.UTC).isoformat(),
        "entity_id": str(new_entry_id()),
        "fields": {"name": f"{name}{n}", "phone": "13800000000", "temperature": 36.6},
    }


async def assert_applied_once(mutations: list[dict]) -> None:
    """Each pushed mutation took effect exactly once: one ledger row, or, for a new visitor
    check (its own ledger entry, sync/ingest.py), the check and its one audited creation."""
    for mutation in mutations:
        ledger = await AppliedMutation.count().where(AppliedMutation.id == mutation["id"])
        if mutation["kind"] != "visitor_check.create":
            assert ledger == 1, mutation
            continue
        entity_id = mutation["entity_id"]
        created = (AuditEntry.entity == "visitor_check") & (AuditEntry.entity_id == entity_id)
        assert ledger == 0, mutation
        assert await VisitorCheck.count().where(VisitorCheck.id == entity_id) == 1, mutation
        assert await AuditEntry.count().where(created & (AuditEntry.action == "create")) == 1
