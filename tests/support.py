"""Helpers shared by the test groups: wiping the database, seeding, logging in."""

from __future__ import annotations

import re
from pathlib import Path

from piccolo.engine.postgres import PostgresEngine

from server.db import enable_wal, engine
from server.migrations import migrate

DEMO_PASSWORD = "demo-password-1"


async def reset_database() -> None:
    """Drop every table (including Piccolo's migration table) and migrate from nothing."""
    db = engine()
    if isinstance(db, PostgresEngine):
        await db._run_in_new_connection("DROP SCHEMA public CASCADE")
        await db._run_in_new_connection("CREATE SCHEMA public")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(db.path + suffix).unlink(missing_ok=True)
        enable_wal(db.path)
    await migrate()


def csrf_from(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)
