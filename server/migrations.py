"""Applying Piccolo migrations from the code (at `serve`, `migrate` and in tests)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards


async def pending_migrations() -> int:
    """How many migrations of all apps have not run yet."""
    manager = CheckMigrationManager(app_name="all")
    return await manager.havent_ran_count()


async def migrate(quiet: bool = True) -> None:
    """Run every pending migration, app by app in dependency order."""
    out = io.StringIO() if quiet else None
    with contextlib.redirect_stdout(out) if out else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue() if out else ''}")
