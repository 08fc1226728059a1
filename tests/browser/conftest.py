"""Browser tests: the real `hallwatch` CLI serving the app, driven by Debian's Chromium.

Each test module starts from the demo data of `hallwatch seed-demo --days 1` and gets its own
`hallwatch serve` on a free port, both subprocesses with this process's environment (so the
same HALLWATCH_DB: a temporary SQLite file, or PostgreSQL in CI's second run). seed-demo runs
once per test run (again if the hall's day changes meanwhile); the seeded database is copied
aside and put back before each module (`demo_database`), which checks that every table and
identity counter is as seeded. Playwright cannot download its own browsers here, so it
launches the system Chromium (HALLWATCH_CHROMIUM, default /usr/bin/chromium)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from server import clock
from tests.servers import free_port, hallwatch_command, serve, stop, wait_until_up
from tests.support import DEMO_PASSWORD, SeededOnce

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("HALLWATCH_CHROMIUM", "/usr/bin/chromium")
SERVER_LOG_LINES = 80
LOGIN_SECONDS = 30
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class AppServer:
    url: str
    log: Path
    # Stops the server and starts it again on the same port and database with these
    # environment variables changed: a deploy of a new release.
    redeploy: Callable[[dict[str, str]], None] | None = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the end of its app server's log: what the server did while
    the browser waited is often the explanation (a CI run can't be asked again)."""
    report = yield
    server = getattr(item, "funcargs", {}).get("app_server")
    if report.failed and isinstance(server, AppServer) and server.log.exists():
        tail = server.log.read_text(errors="replace").splitlines()[-SERVER_LOG_LINES:]
        report.sections.append((f"app server log, last {SERVER_LOG_LINES} lines", "\n".join(tail)))
    return report


@pytest.fixture(scope="module")
def app_env() -> dict[str, str]:
    """Extra environment for the app server; a module overrides this fixture to change it."""
    return {}


async def seed_demo() -> dt.date:
    """`hallwatch seed-demo --days 1` (a subprocess, Argon2 at production cost for the demo
    logins, a few hundred rows one by one: ~15 s, hence once a run); the hall's day it seeded,
    as its data is relative to it."""
    day = clock.today()
    seeded = subprocess.run(
        [hallwatch_command(), "seed-demo", "--password", DEMO_PASSWORD, "--days", "1"],
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, f"seed-demo failed:\n{seeded.stdout}\n{seeded.stderr}"
    return day


@pytest.fixture(scope="session")
async def demo_database(tmp_path_factory) -> AsyncIterator[SeededOnce]:
    """The database as seed-demo leaves it, for every module: `restore()` puts it back exactly
    (every row and identity counter, checked), seeding again when the hall's day changed. No
    server may be running on the database meanwhile."""
    database = SeededOnce(
        "demo", tmp_path_factory.mktemp("demo"), seed_demo, lambda day: day == clock.today()
    )
    yield database
    await database.drop()


@pytest.fixture(scope="module")
async def app_server(app_env, demo_database, tmp_path_factory) -> AsyncIterator[AppServer]:
    """The demo data (`demo_database`), then `hallwatch serve` on a free port."""
    await demo_database.restore()
    env = {**os.environ, **app_env}
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "hallwatch-serve.log"
    url = f"http://127.0.0.1:{port}"
    running = [serve(port, env, log)]

    def redeploy(changes: dict[str, str]) -> None:
        stop(running[0])
        env.update(changes)
        running[0] = serve(port, env, log)
        wait_until_up(f"{url}/healthz", running[0], log)

    try:
        wait_until_up(f"{url}/healthz", running[0], log)
        yield AppServer(url=url, log=log, redeploy=redeploy)
    finally:
        stop(running[0])


# One Playwright driver and one Chromium for the whole run (each ~0.5 s to start); every test
# still opens contexts of its own, which share no cookies, storage, cache or service worker.
@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    await launched.close()


@pytest.fixture
async def phone_browser(playwright: Playwright, app_server: AppServer, tmp_path) -> AsyncIterator:
    """`await phone_browser(**options)`: Chromium on a profile kept on disk, as a phone keeps
    its browser's data (service worker, caches, IndexedDB, cookies). Closing the context and
    calling this again is a restart of the browser on the same phone."""
    contexts: list[BrowserContext] = []

    async def start(**options) -> BrowserContext:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            base_url=app_server.url,
            locale="zh-CN",
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield start
    for context in contexts:
        await context.close()


@pytest.fixture
async def new_context(browser: Browser, app_server: AppServer) -> AsyncIterator:
    """`await new_context(**options)`: a fresh browser profile on the app, closed after the
    test. Chinese by default, as the hall's phones are (Chromium would send en-US)."""
    contexts: list[BrowserContext] = []

    async def factory(**options) -> BrowserContext:
        options = {"base_url": app_server.url, "locale": "zh-CN", **options}
        context = await browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        await context.close()


async def log_in(page: Page, username: str, landing: str) -> None:
    """Log in through the form, as a person would, and wait for the role's landing page."""
    response = await page.goto("/login")
    content_type = response.headers.get("content-type", "") if response else ""
    # A page served as application/json is shown by the browser as its HTML source.
    assert content_type.startswith("text/html"), f"/login is served as {content_type!r}"
    await page.fill('input[name="username"]', username)
    await page.fill('input[name="password"]', DEMO_PASSWORD)
    await page.click('form[action="/login"] button')
    try:
        # Longer than the default: on a loaded machine a login (Argon2 at production cost in
        # the app server) and the landing page together once took more than 10 s in CI.
        await page.wait_for_url(f"**{landing}", timeout=LOGIN_SECONDS * 1000)
    except PlaywrightTimeoutError as timeout:
        shown = (await page.locator("body").inner_text())[:500]
        raise AssertionError(
            f"{username} did not land on {landing}: at {page.url}, showing\n{shown}"
        ) from timeout


async def wait_until(
    page: Page, predicate: str, arg=None, timeout: float = 30, explain: str | None = None
) -> None:
    """Wait until the page's `predicate` (a JS function, async or not) is truthy.
    Playwright's wait_for_function takes the Promise an async function returns as truthy,
    so it would not wait at all; `evaluate` awaits it. On a timeout the page's `explain`
    (a JS function of the same argument) says what it saw."""
    deadline = time.monotonic() + timeout
    while not await page.evaluate(predicate, arg):
        if time.monotonic() > deadline:
            seen = await page.evaluate(explain, arg) if explain else None
            raise AssertionError(f"still false after {timeout} s: {predicate}\nsaw: {seen}")
        await asyncio.sleep(0.1)


async def log_out(page: Page) -> None:
    await page.click('form[action="/logout"] button')
    await page.wait_for_url("**/login")


def screenshots_wanted() -> bool:
    """HALLWATCH_SCREENSHOTS=1 refreshes docs/screenshots/ (the README's images)."""
    return os.environ.get("HALLWATCH_SCREENSHOTS") == "1"


async def save_screenshot(page: Page, name: str) -> None:
    if screenshots_wanted():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / name), full_page=False)
