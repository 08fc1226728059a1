"""`hallwatch backup` then `hallwatch restore` (the real commands) give back every table."""

import os
import subprocess

import pytest

from server import demo
from server.migrations import migrate
from server.piccolo_conf import APP_REGISTRY
from tests.servers import hallwatch_command
from tests.support import DEMO_PASSWORD, reset_database


async def snapshot() -> dict[str, list]:
    """Every row of every table, in primary-key order."""
    tables = {}
    for table in (t for c in APP_REGISTRY.app_configs.values() for t in c.table_classes):
        rows = await table.select().order_by(table._meta.primary_key)
        tables[table._meta.tablename] = rows
    return tables


def run(*args: str) -> None:
    done = subprocess.run(
        [hallwatch_command(), *args],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module", autouse=True)
async def seeded():
    await reset_database()
    departments = await demo.seed_organisation(lambda _: None)
    await demo.seed_users(DEMO_PASSWORD, departments)
    await demo.seed_checks(2, lambda _: None)


async def test_backup_and_restore_round_trip(tmp_path):
    before = await snapshot()
    assert sum(len(rows) for rows in before.values()) > 100
    target = tmp_path / "hallwatch.backup"
    run("backup", str(target))
    await reset_database()  # everything gone, schema fresh
    assert await snapshot() != before
    run("restore", "--yes", str(target))
    await migrate()
    assert await snapshot() == before
