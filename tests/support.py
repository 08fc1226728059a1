"""Helpers shared by the test groups: wiping the database, seeding, logging in."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from piccolo.engine.postgres import PostgresEngine

from server.audit.tables import AuditEntry
from server.checks.tables import VisitorCheck
from server.db import enable_wal, engine
from server.migrations import migrate
from sync.tables import AppliedMutation

DEMO_PASSWORD = "demo-password-1"


_schema_ready = False


async def reset_database() -> None:
    """An empty database at the latest schema. The first call of a test run drops everything
    (Piccolo's migration table too) and migrates from nothing; later calls only empty the
    tables, which is the same state in a fraction of the time (no migration writes rows)."""
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
            " WHERE schemaname = 'public' AND tablename <> 'migration'"
        )
        names = ", ".join(f'"{r["tablename"]}"' for r in rows)
        await db._run_in_new_connection(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    with sqlite3.connect(db.path, timeout=30) as connection:
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name <> 'migration'"
        ).fetchall()
        connection.execute("PRAGMA foreign_keys = OFF")
        for (name,) in tables:
            connection.execute(f'DELETE FROM "{name}"')
        # AUTOINCREMENT counters start again, as on a fresh database.
        if connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone():
            connection.execute("DELETE FROM sqlite_sequence")


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
