"""While the app runs, a write does not checkpoint SQLite's whole log: server.db.start keeps
one idle connection open (the last connection to close a WAL database checkpoints the log
into the file and deletes it, and Piccolo closes its connection after every transaction)."""

from pathlib import Path

import pytest

from server import db
from sync.db import is_sqlite

pytestmark = pytest.mark.skipif(not is_sqlite(), reason="SQLite's write-ahead log")


async def test_writes_leave_the_log_to_sqlites_own_checkpoints_until_the_app_stops(tmp_path):
    path = tmp_path / "hall.db"
    log = Path(f"{path}-wal")
    engine = db.engine_from_url(f"sqlite:///{path}")
    await db.start(engine)
    try:
        for statement in ("CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)"):
            async with engine.transaction() as txn:
                await txn.connection.execute(statement)
            assert log.exists() and log.stat().st_size > 0
    finally:
        await db.stop(engine)
    assert not log.exists()  # the last connection closed: everything is in the file
