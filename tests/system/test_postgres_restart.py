"""PostgreSQL goes away under a running app: its connections are terminated (a restart, a
crash, an administrator). Requests caught by it answer 503 (so phones retry), the pool
replaces the dead connections, and the app serves again without being restarted itself.

Runs only on PostgreSQL; the restart test also needs pg_ctlcluster (Debian's PostgreSQL
packaging) and restarts the whole local cluster once, which other users of it ride out."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import asyncpg
import httpx
import pytest

from server import db, demo
from server.errors import is_storage_failure
from tests.servers import free_port, serve, stop, wait_until_up
from tests.support import reset_database
from tests.system.test_sync_under_faults import (
    FAILED_SENDS,
    enrolled,
    mutation,
    push_until_answered,
    stored,
)

DB_URL = os.environ.get("HALLWATCH_DB", "")
pytestmark = pytest.mark.skipif(
    not DB_URL.startswith(("postgresql://", "postgres://")), reason="PostgreSQL only"
)
CLUSTERS = sorted(Path("/etc/postgresql").glob("*/*/postgresql.conf"))


async def test_a_terminated_connection_is_a_503_and_goes_back_to_the_pool():
    engine = db.engine_from_url(DB_URL)
    await engine.start_connection_pool(min_size=1, max_size=1)
    admin = await asyncpg.connect(DB_URL)
    try:
        with pytest.raises(Exception) as caught:
            async with engine.transaction() as txn:
                backend = await txn.connection.fetchval("SELECT pg_backend_pid()")
                await admin.execute("SELECT pg_terminate_backend($1)", backend)
                await txn.connection.fetchval("SELECT 1")
        assert is_storage_failure(caught.value), repr(caught.value)
        assert engine.current_transaction.get() is None
        # The pool's only slot came back: without the release this waits forever.
        rows = await asyncio.wait_for(engine.run_ddl("SELECT 1 AS one"), 5)
        assert [dict(r) for r in rows] == [{"one": 1}]
    finally:
        await admin.close()
        # Waits for every connection to come back: bounded, so a leak fails instead of hanging.
        await asyncio.wait_for(engine.close_connection_pool(), 5)


async def restart_postgres() -> None:
    """Restart the local cluster (fast: open connections are cut) and wait until it is
    ready again, so nothing after this, here or in CI, meets it starting up."""
    version, name = CLUSTERS[-1].parent.parent.name, CLUSTERS[-1].parent.name
    restart = await asyncio.create_subprocess_exec(
        "pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart", "-m", "fast"
    )
    assert await restart.wait() == 0, "pg_ctlcluster restart failed"
    for _ in range(150):
        ready = await asyncio.create_subprocess_exec("pg_isready", "-q", "-h", "127.0.0.1")
        if await ready.wait() == 0:
            return
        await asyncio.sleep(0.2)
    pytest.fail("PostgreSQL was not ready 30 s after the restart")


@pytest.mark.skipif(
    not (CLUSTERS and shutil.which("pg_ctlcluster") and shutil.which("pg_isready")),
    reason="needs a local cluster managed by pg_ctlcluster",
)
async def test_postgres_restarted_under_pushes_the_app_recovers_by_itself(tmp_path):
    await reset_database()
    await demo.seed_organisation(lambda _: None)
    (token,) = await enrolled(1)
    port, log = free_port(), tmp_path / "serve.log"
    process = serve(port, dict(os.environ), log)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/healthz", process, log)
    batches: list[list[dict]] = []
    answered, restarted = [0], asyncio.Event()

    async def phone():
        """Pushes 20-entry batches one after another until three went through after the
        restart, so the restart lands mid-run however fast either side is."""
        after = 0
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            while after < 3:
                batches.append([mutation(len(batches) * 20 + i) for i in range(20)])
                await push_until_answered(client, token, batches[-1])
                answered[0] += 1
                after += restarted.is_set()

    async def restart_while_pushing():
        while answered[0] < 3:
            await asyncio.sleep(0.01)
        await restart_postgres()
        restarted.set()

    FAILED_SENDS.clear()
    try:
        await asyncio.wait_for(asyncio.gather(phone(), restart_while_pushing()), 180)
        assert process.poll() is None, "the app died"
        async with httpx.AsyncClient(base_url=url, timeout=5) as client:
            assert (await client.get("/healthz")).status_code == 200
    finally:
        stop(process)
    assert "HTTP 500" not in FAILED_SENDS, log.read_text()[-6000:]
    assert "HTTP 503" in FAILED_SENDS, "no push met the restart: the test proved nothing"
    total = sum(len(b) for b in batches)
    assert await stored(batches) == (total, total)
