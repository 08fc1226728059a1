"""Sync under faults: many phones push their outboxes over real HTTP to a `hallwatch serve`
process through a proxy that cuts connections at random and loses responses after the
request reached the server; optionally the app is SIGKILLed and restarted mid-run
(`--kill`), or the PostgreSQL server itself is restarted mid-run (`--restart-postgres`, the
app is NOT restarted and must recover on its own). At the end: sent, stored, duplicates.

    python bench/sync_faults.py [--devices 100] [--batches 5] [--batch-size 20]
                                [--kill] [--restart-postgres] [--db postgresql://…]

Every phone behaves like web/static/js/queue.js: it resends a batch on a transport error or a
5xx (after a short wait, or the Retry-After of a 503) and drops an entry from its outbox only
when the server answered it (`applied`, `duplicate`, `rejected`); `retry` answers stay.
Entry ids are client-made UUIDv7 (sync/ids.py), so a resend can never store a second copy.
Exit status 1 when stored != sent, or any entry is stored or applied twice."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sync_ingest import mutation as visitor_mutation  # noqa: E402

ANSWERED = {"applied", "duplicate", "rejected"}
RUN_SECONDS = 600  # a run that has not finished by then is stuck: report it, do not hang


class FaultyProxy:
    """A TCP proxy in front of the app. Per chunk going up, with probability `cut`, it
    forwards a random part of the request and closes both sides (the request never arrives
    whole); per response coming back, with probability `lose`, it closes both sides without
    passing the response on (the server did the work, the phone never hears of it)."""

    def __init__(self, upstream_port: int, cut: float, lose: float, seed: int) -> None:
        self.upstream_port, self.cut, self.lose = upstream_port, cut, lose
        self.rng = random.Random(seed)
        self.faults = Counter()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def _connection(self, client_in, client_out) -> None:
        try:
            up_in, up_out = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:  # the app is down (killed, restarting): the phone sees a reset
            self.faults["app down"] += 1
            client_out.close()
            return
        ends = (client_out, up_out)
        await asyncio.gather(
            self._pipe(client_in, up_out, ends, upward=True),
            self._pipe(up_in, client_out, ends, upward=False),
            return_exceptions=True,
        )
        for end in ends:
            end.close()

    async def _pipe(self, source, sink, ends, upward: bool) -> None:
        try:
            while chunk := await source.read(65536):
                if upward and self.rng.random() < self.cut:
                    sink.write(chunk[: self.rng.randrange(len(chunk))])
                    self.faults["cut mid-request"] += 1
                    break
                if not upward and self.rng.random() < self.lose:
                    self.faults["response lost"] += 1
                    break
                sink.write(chunk)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        for end in ends:  # one side gone: the whole connection goes, as a cut cable does
            end.close()


RUN_TAG = f"故障{uuid.uuid4().hex[:6]}"  # names unique to this run: a copy shows up by name


def mutation(device: int, n: int) -> dict:
    return visitor_mutation(n, f"{RUN_TAG}-{device}-")


class Phone:
    """One device's outbox: sends its batches in order, each until every entry is answered."""

    def __init__(self, number: int, token: str, batches: list[list[dict]], stats: Counter):
        self.number, self.token, self.batches, self.stats = number, token, batches, stats
        self.applied: Counter = Counter()  # mutation id -> times the server said `applied`

    async def run(self, url: str) -> None:
        # A fresh connection pool per phone, as each phone has its own.
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for batch in self.batches:
                await self.push(client, batch)
                self.stats["batches answered"] += 1

    async def push(self, client: httpx.AsyncClient, batch: list[dict]) -> None:
        pending = list(batch)
        while pending:
            self.stats["pushes"] += 1
            try:
                response = await client.post(
                    "/sync/push",
                    json={"mutations": pending},
                    headers={"authorization": f"Device {self.token}"},
                )
            except httpx.TransportError:
                self.stats["transport errors"] += 1
                await asyncio.sleep(0.1 + random.random() * 0.2)
                continue
            if response.status_code >= 500:
                self.stats[f"HTTP {response.status_code}"] += 1
                wait = min(float(response.headers.get("retry-after", 0.2)), 1.0)
                await asyncio.sleep(wait * (0.5 + random.random()))
                continue
            if response.status_code != 200:
                raise SystemExit(f"phone {self.number}: {response.status_code} {response.text}")
            answered = set()
            for result in response.json()["results"]:
                if result["status"] == "applied":
                    self.applied[result["id"]] += 1
                if result["status"] in ANSWERED:
                    answered.add(result["id"])
                self.stats[f"answer {result['status']}"] += 1
            pending = [m for m in pending if m["id"] not in answered]


async def prepare(devices: int) -> list[str]:
    """Migrate, load the organisation, enroll `devices` phones; their tokens."""
    from server import db, demo
    from server.audit.service import Actor
    from server.devices import service as device_service
    from server.migrations import migrate

    await db.start(db.engine())
    try:
        await migrate()
        await demo.seed_organisation(lambda _: None)
        tokens = []
        for _ in range(devices):
            name = f"faults-{uuid.uuid4().hex[:8]}"
            code = (await device_service.create_device(name, Actor(username="bench"))).code
            tokens.append((await device_service.enroll(code))[1])
        return tokens
    finally:
        await db.stop(db.engine())


async def count_stored(entity_ids: list[str], mutation_ids: list[str]) -> tuple[int, int, int]:
    """(visitor checks stored for the entries sent, extra copies of any of them by name,
    idempotency-ledger rows for the mutations sent)."""
    from server import db
    from server.checks.tables import VisitorCheck
    from sync.tables import AppliedMutation

    await db.start(db.engine())
    try:
        stored = ledger = 0
        for i in range(0, len(entity_ids), 1000):  # IN lists of bounded size
            stored += await VisitorCheck.count().where(
                VisitorCheck.id.is_in(entity_ids[i : i + 1000])
            )
            ledger += await AppliedMutation.count().where(
                AppliedMutation.id.is_in(mutation_ids[i : i + 1000])
            )
        # Every entry's name is unique to this run: rows under these names beyond the ones
        # with the phones' ids would be second copies made under another id.
        named = await VisitorCheck.count().where(VisitorCheck.name.like(f"{RUN_TAG}-%"))
        return stored, named - stored, ledger
    finally:
        await db.stop(db.engine())


class App:
    """The `hallwatch serve` subprocess, restartable on the same port."""

    def __init__(self, db_url: str, port: int, log: Path) -> None:
        self.env = {**os.environ, "HALLWATCH_DB": db_url}
        self.port, self.log, self.process = port, log, None
        self.pids: list[int] = []

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.pids.append(self.process.pid)

    async def wait_up(self, seconds: float = 60) -> float:
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() - started < seconds:
                if self.process.poll() is not None:
                    raise SystemExit(f"the server exited:\n{self.log.read_text()[-3000:]}")
                try:
                    response = await client.get(f"http://127.0.0.1:{self.port}/healthz")
                    if response.status_code == 200:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise SystemExit(f"/healthz did not answer 200 within {seconds} s")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


def postgres_cluster() -> tuple[str, str]:
    """(version, name) of the local cluster, from /etc/postgresql/<version>/<name>."""
    clusters = sorted(Path("/etc/postgresql").glob("*/*/postgresql.conf"))
    if not clusters:
        raise SystemExit("--restart-postgres: no cluster under /etc/postgresql")
    return clusters[-1].parent.parent.name, clusters[-1].parent.name


async def restart_postgres() -> float:
    """Restart the PostgreSQL server (fast shutdown: open connections are terminated), wait
    until it accepts connections again; seconds it took."""
    version, name = postgres_cluster()
    started = time.monotonic()
    restart = await asyncio.create_subprocess_exec(
        "pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart", "-m", "fast"
    )
    if await restart.wait() != 0:
        raise SystemExit("pg_ctlcluster restart failed")
    while True:
        ready = await asyncio.create_subprocess_exec(
            "pg_isready", "-q", "-h", "127.0.0.1", stdout=subprocess.DEVNULL
        )
        if await ready.wait() == 0:
            return time.monotonic() - started
        await asyncio.sleep(0.2)


async def disrupt(args, app: App, stats: Counter, total_batches: int, log: list[str]) -> None:
    """Kill the app (twice) or restart PostgreSQL (once) when a quarter and then two thirds
    of the batches are answered, so the faults land while most pushes are still to come."""
    marks = [total_batches // 4, total_batches * 2 // 3] if args.kill else [total_batches // 3]
    if not (args.kill or args.restart_postgres):
        return
    for mark in marks:
        while stats["batches answered"] < mark:
            await asyncio.sleep(0.02)
        if args.kill:
            app.kill()
            app.start()
            up = await app.wait_up()
            log.append(f"app SIGKILLed after {mark} batches, restarted, up again in {up:.1f} s")
        if args.restart_postgres:
            took = await restart_postgres()
            log.append(f"PostgreSQL restarted after {mark} batches, ready again in {took:.1f} s")


async def run(args, db_url: str, folder: Path) -> int:
    tokens = await prepare(args.devices)
    app = App(db_url, port=8900 + os.getpid() % 90, log=folder / "serve.log")
    app.start()
    await app.wait_up()
    proxy = FaultyProxy(app.port, cut=args.cut, lose=args.lose, seed=args.seed)
    url = f"http://127.0.0.1:{await proxy.start()}"
    stats: Counter = Counter()
    phones = [
        Phone(
            d,
            token,
            [
                [mutation(d, b * args.batch_size + i) for i in range(args.batch_size)]
                for b in range(args.batches)
            ],
            stats,
        )
        for d, token in enumerate(tokens)
    ]
    events: list[str] = []
    started = time.monotonic()
    try:
        await asyncio.wait_for(
            asyncio.gather(
                disrupt(args, app, stats, args.devices * args.batches, events),
                *(phone.run(url) for phone in phones),
            ),
            RUN_SECONDS,
        )
        stuck = False
    except TimeoutError:
        stuck = True
        events.append(f"STUCK: not every batch was answered within {RUN_SECONDS} s")
    elapsed = time.monotonic() - started
    health = await app.wait_up(10)  # the app (same process for a PostgreSQL restart) answers
    await proxy.close()
    app.stop()

    entries = [m for phone in phones for batch in phone.batches for m in batch]
    sent = len(entries)
    stored, copies, ledger = await count_stored(
        [m["entity_id"] for m in entries], [m["id"] for m in entries]
    )
    applied_twice = sum(1 for phone in phones for times in phone.applied.values() if times > 1)
    print(
        f"{args.devices} devices × {args.batches} batches × {args.batch_size} entries, "
        f"{describe_db(db_url)}, {elapsed:.1f} s"
    )
    for line in events:
        print(f"  {line}")
    print(f"  app processes: {len(app.pids)} (pids {', '.join(map(str, app.pids))})")
    print(f"  /healthz at the end: 200 after {health:.1f} s")
    print("  proxy faults: " + ", ".join(f"{k} {v}" for k, v in sorted(proxy.faults.items())))
    print("  phones: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))
    print(
        f"sent {sent}  stored {stored}  ledger {ledger}  "
        f"duplicates {copies + applied_twice} (extra rows {copies}, applied twice {applied_twice})"
    )
    ok = not stuck and stored == sent == ledger and copies == 0 and applied_twice == 0
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def describe_db(url: str) -> str:
    from server.db import describe

    return "SQLite" if url.startswith("sqlite") else f"PostgreSQL {describe(url)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--batches", type=int, default=5, help="batches per device")
    parser.add_argument("--batch-size", type=int, default=20, help="entries per batch")
    parser.add_argument("--cut", type=float, default=0.05, help="chance a request is cut")
    parser.add_argument("--lose", type=float, default=0.1, help="chance a response is lost")
    parser.add_argument("--kill", action="store_true", help="SIGKILL and restart the app twice")
    parser.add_argument(
        "--restart-postgres", action="store_true", help="restart PostgreSQL once (app stays)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="", help="postgresql://… (default: temporary SQLite)")
    args = parser.parse_args()
    if args.restart_postgres and not args.db.startswith("postgres"):
        parser.error("--restart-postgres needs --db postgresql://…")
    folder = Path(tempfile.mkdtemp(prefix="hallwatch-faults-"))
    db_url = args.db or f"sqlite:///{folder / 'faults.db'}"
    os.environ["HALLWATCH_DB"] = db_url
    os.environ.setdefault("HALLWATCH_SECRET", "bench")
    random.seed(args.seed)
    code = asyncio.run(run(args, db_url, folder))
    print(f"server log: {folder / 'serve.log'}")
    raise SystemExit(code)


if __name__ == "__main__":
    main()
