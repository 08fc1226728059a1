"""The disk fills up under a running server (SQLite on a small tmpfs): writes answer a clear
503 with Retry-After, nothing already acknowledged is lost, and once there is room again the
phone's resent entries are stored exactly once. Needs root to mount the tmpfs; skipped
elsewhere, and on the PostgreSQL run (the suite's database is not on that disk)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, hallwatch_command, serve, stop, wait_until_up
from tests.support import csrf_from, visitor_mutation

PASSWORD = "entrance-disk-full-2026"


def mutation(n: int) -> dict:
    return visitor_mutation(n, "满盘")


@pytest.fixture
def small_disk(tmp_path) -> Path:
    if not os.environ.get("HALLWATCH_DB", "").startswith("sqlite"):
        pytest.skip("the suite runs on PostgreSQL: its database is not on this disk")
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Take every free byte of `disk`; the file is removed to make room again."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass  # no space left: the disk is full, as wanted (the 503 below proves it)
    return filler


def stored(database: Path, batch: list[dict]) -> int:
    ids = [m["entity_id"] for m in batch]
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        marks = ",".join("?" * len(ids))
        query = f"SELECT COUNT(*) FROM visitor_check WHERE id IN ({marks})"
        return db.execute(query, ids).fetchone()


async def test_a_full_disk_answers_503_and_loses_nothing(small_disk, tmp_path):
    database = small_disk / "hallwatch.db"
    env = {**os.environ, "HALLWATCH_DB": f"sqlite:///{database}"}
    created = subprocess.run(
        [hallwatch_command(), "create-user", "desk", "--role", "desk", "--password", PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    port, log = free_port(), tmp_path / "serve.log"
    process = serve(port, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz", process, log)
        async with httpx.AsyncClient(base_url=url, timeout=30) as phone:
            page = await phone.get("/login")
            form = {"username": "desk", "password": PASSWORD, "_csrf_token": csrf_from(page.text)}
            assert (await phone.post("/login", data=form)).status_code in (200, 303)

            async def push(batch):
                return await phone.post(
                    "/sync/push", json={"mutations": batch}, headers={"x-hallwatch-sync": "1"}
                )

            first = [mutation(n) for n in range(20)]
            assert {r["status"] for r in (await push(first)).json()["results"]} == {"applied"}

            filler = fill(small_disk)
            later = [mutation(100 + n) for n in range(200)]
            refused = await push(later)
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] == "30"
            assert "disk full" in refused.json()["detail"]
            assert await phone.get("/healthz") is not None  # the server is still up

            filler.unlink()
            again = await push(later)
            assert again.status_code == 200
            assert {r["status"] for r in again.json()["results"]} <= {"applied", "duplicate"}
        assert stored(database, first) == (20,)
        assert stored(database, later) == (200,)
    finally:
        stop(process)
