"""The office's pages at a city hall's scale, the desk's throughput and the app's memory, in
one run, each figure beside its baseline.

    python bench/office_at_scale.py [--checks 1000000] [--baseline 1000] [--staff 500]
        [--days 90] [--requests 30] [--seconds 5] [--db sqlite:///path | postgresql://…]

1. Latency (p50/p95) of the office's visitor list (a full day; a name search; a phone
   search; abnormal only; the next page through its keyset cursor) and of the dashboard, with
   `--baseline` visitor checks, then with `--checks`, the same staff (`--staff`, measured
   twice a day and declaring daily over `--days` days) in both. Target: ≤ 2× the baseline.
2. GET /desk requests per second (logged in as the desk) beside a bare Litestar app that
   renders the same template with the same context loaded once, without the database.
   Target: ≥ 50 %.
3. The app process's memory (VmRSS now, VmHWM peak, from /proc) after that load.

The database is emptied first (a temporary SQLite file by default; give a throwaway
PostgreSQL database with --db). Rows are written straight into the migrated schema (see
bench/scale_data.py); requests go over HTTP to a real `hallwatch serve` subprocess, one at
a time for latency, `--concurrency` at once for throughput."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "bench-password-1"


# Data ------------------------------------------------------------------------------------


async def prepare(db_url: str, staff: int) -> None:
    """An empty database at the latest schema, the plan's organisation, the demo logins, the
    retention period longer than the data (else the first housekeeping run purges it) and
    `staff` people in the departments."""
    import scale_data

    from server import db, demo
    from server.migrations import migrate
    from server.org.tables import Department, Person
    from server.policy.service import store_setting

    engine = db.engine()
    if db_url.startswith("postgres"):
        await engine._run_in_new_connection("DROP SCHEMA public CASCADE")
        await engine._run_in_new_connection("CREATE SCHEMA public")
    await db.start(engine)
    try:
        await migrate()
        departments = await demo.seed_organisation(lambda _: None)
        await demo.seed_users(PASSWORD, departments)
        await store_setting("visitor_retention_days", 3650)
        have = await Person.count().where(Person.department.is_not_null())
        ids = [r["id"] for r in await Department.select(Department.id)]
        await Person.insert(
            *(
                Person(**dict(zip(scale_data.PERSON_COLUMNS, row, strict=True)))
                for row in scale_data.person_rows(max(0, staff - have), ids, seed=7)
            )
        )
    finally:
        await db.stop(engine)


class Store:
    """Raw writes and reads on the bench's database, whichever engine."""

    def __init__(self, db_url: str):
        self.url = db_url
        self.sqlite = db_url.removeprefix("sqlite:///") if db_url.startswith("sqlite") else None

    def insert(self, table: str, columns: tuple[str, ...], rows) -> int:
        import scale_data

        if self.sqlite:
            return scale_data.sqlite_insert(self.sqlite, table, columns, rows)
        return asyncio.run(scale_data.pg_insert(self.url, table, columns, rows))

    def query(self, sql: str) -> list[tuple]:
        import scale_data

        if self.sqlite:
            return scale_data.sqlite_query(self.sqlite, sql)
        return asyncio.run(scale_data.pg_query(self.url, sql))


def load_staff(store: Store, days: int) -> tuple[int, int]:
    import scale_data

    people = [r[0] for r in store.query("SELECT id FROM person WHERE department IS NOT NULL")]
    desk = store.query("SELECT id FROM user_account WHERE username = 'desk'")[0][0]
    checks = store.insert(
        "staff_check", scale_data.STAFF_COLUMNS, scale_data.staff_rows(people, days, desk, 11)
    )
    declared = store.insert(
        "health_declaration",
        scale_data.DECLARATION_COLUMNS,
        scale_data.declaration_rows(people, days, 13),
    )
    return checks, declared


def load_visitors(store: Store, count: int, days: int, seed: int) -> int:
    import scale_data

    windows = store.query("SELECT id, code, name FROM hall_window ORDER BY code")
    desk = store.query("SELECT id FROM user_account WHERE username = 'desk'")[0][0]
    rows = scale_data.visitor_rows(count, days, windows, desk, seed)
    return store.insert("visitor_check", scale_data.VISITOR_COLUMNS, rows)


# The app -----------------------------------------------------------------------------------


def serve(args: list[str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, *args, "--port", str(port)],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code < 500:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) // 1024
    return found


async def log_in(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    answer = await client.post(
        "/login", data={"username": username, "password": PASSWORD, "_csrf_token": token}
    )
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])


def office_pages(day: dt.date, phone_end: str, phone_tail: str, cursor: str) -> dict[str, str]:
    base = f"/office?day={day.isoformat()}"
    return {
        "visitor list (a full day)": base,
        "search a name (q=王)": f"{base}&q=王",
        f"phone, no match (q={phone_end})": f"{base}&q={phone_end}",
        f"phone, last 4 (q={phone_tail})": f"{base}&q={phone_tail}",
        "abnormal only": f"{base}&abnormal=1",
        "next page (keyset cursor)": f"{base}&before={quote(cursor)}",
        "dashboard": "/dashboard/",
    }


def day_phone(store: Store, day: dt.date) -> str:
    """The mobile number of one of the day's visitors."""
    from server import clock

    start, end = (str(t) for t in clock.day_bounds(day))
    return store.query(
        f"SELECT phone FROM visitor_check WHERE time_in >= '{start}' AND time_in < '{end}'"
        " ORDER BY id LIMIT 1"
    )[0][0]


def cursor_after_first_page(store: Store, day: dt.date) -> str:
    """The keyset cursor the first page's "more" link carries: the 25th newest row of the day
    (or its last, when a small day has fewer)."""
    from server import clock
    from server.checks.queries import PAGE_SIZE

    start, end = (str(t) for t in clock.day_bounds(day))
    rows = store.query(
        f"SELECT time_in, id FROM visitor_check WHERE time_in >= '{start}' AND time_in < '{end}'"
        f" ORDER BY time_in DESC, id DESC LIMIT {PAGE_SIZE}"
    )
    moment, row_id = rows[-1]
    moment = moment if isinstance(moment, str) else moment.isoformat()
    return f"{moment.replace(' ', 'T')}_{row_id}"


async def latencies(url: str, pages: dict[str, str], rounds: int) -> dict[str, list[float]]:
    """Seconds per request, pages interleaved, one request at a time, after a warm-up."""
    timings: dict[str, list[float]] = {name: [] for name in pages}
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        await log_in(client, "office")
        for round_ in range(rounds + 2):
            for name, path in pages.items():
                started = time.perf_counter()
                answer = await client.get(path)
                elapsed = time.perf_counter() - started
                assert answer.status_code == 200, (path, answer.status_code)
                if round_ >= 2:
                    timings[name].append(elapsed)
    return timings


async def throughput(url: str, seconds: float, concurrency: int, user: str | None) -> float:
    """GET /desk answered per second with `concurrency` requests in flight."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        if user:
            await log_in(client, user)
        for _ in range(3):
            assert (await client.get("/desk")).status_code == 200
        done = 0
        deadline = time.perf_counter() + seconds

        async def worker():
            nonlocal done
            while time.perf_counter() < deadline:
                answer = await client.get("/desk")
                assert answer.status_code == 200, answer.status_code
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


# The bare app ------------------------------------------------------------------------------


def bare_app():
    """A Litestar app with one route rendering desk/page.html with the context the desk's
    page has, loaded once at startup: the same templates, CSRF and locale, no database, no
    session, no guards."""
    from litestar import Litestar, Request, get
    from litestar.config.csrf import CSRFConfig

    from server import db
    from server.accounts.service import load_user
    from server.accounts.tables import UserAccount
    from server.checks.desk import _form_panel
    from server.checks.rules import SYMPTOMS
    from server.disinfection.service import active_points
    from server.org.service import roster_by_department, windows
    from server.policy.service import load_policy
    from server.settings import Settings
    from server.web import render, template_config
    from sync.ids import new_entry_id

    context: dict = {}

    async def load() -> None:
        engine = db.engine()
        await db.start(engine)
        try:
            desk = await UserAccount.select(UserAccount.id).where(UserAccount.username == "desk")
            context["user"] = await load_user(desk[0]["id"])
            context.update(
                symptom_codes=SYMPTOMS,
                policy=await load_policy(),
                entries=None,
                roster=await roster_by_department(),
                windows=await windows(),
                disinfection_points=await active_points(),
            )
        finally:
            await db.stop(engine)

    @get("/desk")
    async def desk(request: Request) -> object:
        request.scope["user"] = context["user"]
        panels = {"visitor": _form_panel(), "staff": _form_panel()}
        shown = {k: v for k, v in context.items() if k != "user"}
        return render(
            request, "desk/page.html", panels=panels, disinfection_entry_id=new_entry_id(), **shown
        )

    @get("/healthz")
    async def healthz() -> dict:
        return {"ok": True}

    return Litestar(
        route_handlers=[desk, healthz],
        on_startup=[load],
        csrf_config=CSRFConfig(secret=Settings.from_env().secret, cookie_httponly=True),
        template_config=template_config(),
    )


def serve_bare(port: int) -> None:
    import uvicorn

    # As `hallwatch serve` runs the app: one process, access log at info.
    uvicorn.run(bare_app(), host="127.0.0.1", port=port, log_level="info")


# The run -----------------------------------------------------------------------------------


def measure_pages(db_url, port, folder, pages, rounds, label):
    process = serve(["-m", "server.cli", "serve"], port, folder / f"serve-{label}.log")
    try:
        return asyncio.run(latencies(f"http://127.0.0.1:{port}", pages, rounds)), process
    except BaseException:
        process.terminate()
        raise


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checks", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--staff", type=int, default=500)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput figure")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="throughput runs, best kept")
    parser.add_argument("--db", default="", help="sqlite:///path or postgresql://… (emptied)")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        return serve_bare(args.port)

    folder = Path(tempfile.mkdtemp(prefix="hallwatch-scale-"))
    db_url = args.db or f"sqlite:///{folder / 'bench.db'}"
    if db_url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(db_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    os.environ["HALLWATCH_DB"] = db_url
    os.environ.setdefault("HALLWATCH_SECRET", "bench-secret")
    port = 8500 + os.getpid() % 200
    url = f"http://127.0.0.1:{port}"
    store = Store(db_url)

    started = time.perf_counter()
    asyncio.run(prepare(db_url, args.staff))
    staff_checks, declarations = load_staff(store, args.days)
    stored = load_visitors(store, args.baseline, args.days, seed=1)
    print(
        f"{'PostgreSQL' if store.sqlite is None else 'SQLite'}; {args.staff} staff, "
        f"{staff_checks:,} staff checks, {declarations:,} declarations over {args.days} days"
    )
    print(f"baseline: {stored:,} visitor checks ({time.perf_counter() - started:.0f} s to load)")
    from server import clock

    yesterday = clock.today() - dt.timedelta(days=1)
    # The end of a number from another day (matches nothing), the last 4 of one of the day's.
    phone = store.query("SELECT phone FROM visitor_check ORDER BY id LIMIT 1")[0][0][-5:]
    tail = day_phone(store, yesterday)[-4:]
    pages = office_pages(yesterday, phone, tail, cursor_after_first_page(store, yesterday))
    small, process = measure_pages(db_url, port, folder, pages, args.requests, "small")
    process.terminate()
    process.wait()

    started = time.perf_counter()
    stored += load_visitors(store, args.checks - args.baseline, args.days, seed=2)
    print(f"at scale: {stored:,} visitor checks ({time.perf_counter() - started:.0f} s to load)")
    pages = office_pages(yesterday, phone, tail, cursor_after_first_page(store, yesterday))
    large, process = measure_pages(db_url, port, folder, pages, args.requests, "large")
    try:
        print(f"\n{'page':<30} {'p50 base':>9} {'p50 scale':>10} {'ratio':>6}"
              f" {'p95 base':>9} {'p95 scale':>10} {'ratio':>6}")  # fmt: skip
        for name in pages:
            b50, l50, b95, l95 = (p(small[name], 50), p(large[name], 50),
                                  p(small[name], 95), p(large[name], 95))  # fmt: skip
            print(f"{name:<30} {b50:>7.1f}ms {l50:>8.1f}ms {l50 / b50:>5.2f}x"
                  f" {b95:>7.1f}ms {l95:>8.1f}ms {l95 / b95:>5.2f}x")  # fmt: skip
        after_pages = memory(process.pid)
        secs, many = args.seconds, args.concurrency
        bare = serve([str(Path(__file__)), "--serve-bare"], port + 1, folder / "serve-bare.log")
        app_rate = bare_rate = 0.0
        try:
            # Interleaved, best of each: load from other work only ever slows a run down.
            bare_url = f"http://127.0.0.1:{port + 1}"
            for _ in range(args.repeat):
                app_rate = max(app_rate, asyncio.run(throughput(url, secs, many, "desk")))
                bare_rate = max(bare_rate, asyncio.run(throughput(bare_url, secs, many, None)))
        finally:
            bare.terminate()
            bare.wait()
        after_desk = memory(process.pid)
    finally:
        process.terminate()
        process.wait()

    print(
        f"\nGET /desk, {args.concurrency} at once: app {app_rate:.0f}/s, bare Litestar route "
        f"rendering the same template {bare_rate:.0f}/s: {app_rate / bare_rate:.0%}"
    )
    print(
        f"app process memory: after the page latencies VmRSS {after_pages['VmRSS']} MiB; "
        f"after the /desk load VmRSS {after_desk['VmRSS']} MiB, peak VmHWM "
        f"{after_desk['VmHWM']} MiB"
    )


if __name__ == "__main__":
    main()
