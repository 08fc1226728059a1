"""Sync ingest throughput: new readings per second through the real push endpoint (HTTP,
JSON, validation, idempotency ledger, audit, change feed), beside raw sqlite3 executemany of
the same rows into the same table with the same durability settings, in one run.

    python bench/sync_ingest.py [--entries 3000]

Prints one row per batch size (1, 100, 1000) with both rates and their ratio, then p50/p99
of a 1,000-entry push while 4 devices push at once. Runs a real `hallwatch serve` on a
temporary SQLite database; nothing outside a temporary folder is touched."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def mutation(n: int) -> dict:
    return {
        "id": str(uuid.uuid4()), "kind": "visitor_check.create", "seq": n,
        "captured_at": dt.datetime.now(dt.UTC).isoformat(), "entity_id": str(uuid.uuid4()),
        "fields": {"name": f"访客{n}", "phone": "13800000000", "temperature": 36.6,
                   "purpose": "A01 企业开办"},
    }


async def prepare(db_url: str) -> list[str]:
    """Migrate, load the organisation, enroll four devices; their tokens."""
    from server import demo
    from server.audit.service import Actor
    from server.devices import service as devices
    from server.migrations import migrate

    await migrate()
    await demo.seed_organisation(lambda _: None)
    tokens = []
    for i in range(4):
        code = (await devices.create_device(f"bench-{i}", Actor(username="bench"))).code
        tokens.append((await devices.enroll(code))[1])
    return tokens


async def push_rate(url: str, token: str, batch_size: int, entries: int) -> float:
    """Entries per second through /sync/push in batches of `batch_size`."""
    batches = [[mutation(n) for n in range(i, min(i + batch_size, entries))]
               for i in range(0, entries, batch_size)]
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        started = time.perf_counter()
        for batch in batches:
            response = await client.post("/sync/push", json={"mutations": batch},
                                         headers={"authorization": f"Device {token}"})
            statuses = {r["status"] for r in response.json()["results"]}
            assert statuses == {"applied"}, statuses
        return entries / (time.perf_counter() - started)


def stored_row(m: dict, window_id: int) -> tuple:
    now = dt.datetime.now(dt.UTC).isoformat()
    f = m["fields"]
    return (m["entity_id"], f["name"], f["phone"], "", f["purpose"], window_id,
            f["temperature"], None, "", "", False, "normal", m["captured_at"], None, "bench",
            None, now, 1, "{}", "")


def raw_rate(schema_db: Path, batch_size: int, entries: int) -> float:
    """Rows per second of plain executemany into a copy of the app's database (same tables,
    indexes, foreign keys, WAL), one transaction per batch."""
    path = schema_db.with_name("raw.db")
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    with sqlite3.connect(schema_db) as source:
        source.backup(conn)  # the same tables, indexes and reference rows
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")  # as Piccolo's connections have it
    conn.execute("DELETE FROM visitor_check")
    window_id = conn.execute("SELECT id FROM hall_window WHERE code = 'A01'").fetchone()[0]
    columns = ("id, name, phone, id_number, purpose, window, temperature, "
               "remeasure_temperature, symptoms, symptoms_other, travel_or_contact, status, "
               "time_in, time_out, device, recorded_by, created_at, version, field_meta, "
               "clock_flag")
    sql = f"INSERT INTO visitor_check ({columns}) VALUES ({', '.join('?' * 20)})"
    rows = [stored_row(mutation(n), window_id) for n in range(entries)]
    started = time.perf_counter()
    for i in range(0, entries, batch_size):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows[i:i + batch_size])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return entries / elapsed


async def concurrent_latency(url: str, tokens: list[str], rounds: int) -> list[float]:
    """Seconds per 1,000-entry push while all devices push at once, `rounds` times."""
    timings: list[float] = []

    async def one(client, token):
        batch = [mutation(n) for n in range(1000)]
        started = time.perf_counter()
        response = await client.post("/sync/push", json={"mutations": batch},
                                     headers={"authorization": f"Device {token}"})
        assert response.status_code == 200
        timings.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        for _ in range(rounds):
            await asyncio.gather(*(one(client, t) for t in tokens))
    return timings


def serve(db_url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "HALLWATCH_DB": db_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=3000, help="entries per batch size")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of 4 concurrent pushes")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hallwatch-bench-"))
    db_path = folder / "bench.db"
    db_url = f"sqlite:///{db_path}"
    os.environ["HALLWATCH_DB"] = db_url
    os.environ.setdefault("HALLWATCH_SECRET", "bench")
    tokens = asyncio.run(prepare(db_url))
    port = 8700 + os.getpid() % 200
    process = serve(db_url, port, folder / "serve.log")
    url = f"http://127.0.0.1:{port}"
    try:
        print(f"{'batch':>6} {'push entries/s':>15} {'raw executemany rows/s':>23} {'ratio':>7}")
        for size in (1, 100, 1000):
            entries = min(args.entries, 300) if size == 1 else args.entries
            pushed = asyncio.run(push_rate(url, tokens[0], size, entries))
            raw = raw_rate(db_path, size, entries)
            print(f"{size:>6} {pushed:>15.0f} {raw:>23.0f} {pushed / raw:>7.1%}")
        timings = asyncio.run(concurrent_latency(url, tokens, args.rounds))
        p50 = statistics.median(timings)
        p99 = statistics.quantiles(timings, n=100)[98] if len(timings) > 1 else timings[0]
        print(f"1,000-entry push, {len(tokens)} devices at once ({len(timings)} pushes): "
              f"p50 {p50:.2f} s, p99 {p99:.2f} s")
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
