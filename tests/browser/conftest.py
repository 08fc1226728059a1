"""Browser tests: the real `hallwatch` CLI serving the app, driven by Debian's Chromium.

Each test module gets a wiped database, `hallwatch seed-demo` and `hallwatch serve` on a free
port, all as subprocesses with this process's environment (so the same HALLWATCH_DB: a temporary
SQLite file, or PostgreSQL in CI's second run). Playwright cannot download its own browsers
here, so it launches the system Chromium (HALLWATCH_CHROMIUM, default /usr/bin/chromium)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.support import DEMO_PASSWORD, reset_database

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("HALLWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hallwatch_command() -> str:
    """The `hallwatch` script of the interpreter running the tests (the project's venv)."""
    beside = Path(sys.executable).with_name("hallwatch")
    found = str(beside) if beside.exists() else shutil.which("hallwatch")
    assert found, "the `hallwatch` command is not installed (pip install -e '.[test]')"
    return found


def wait_until_up(url: str, process: subprocess.Popen | None, log: Path) -> None:
    """Poll `url` until it answers 200; fail with the process's log if it dies or never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{url}: the server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2, verify=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer 200 within {STARTUP_SECONDS} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass(frozen=True)
class AppServer:
    url: str
    log: Path


@pytest.fixture(scope="module")
def app_env() -> dict[str, str]:
    """Extra environment for the app server; a module overrides this fixture to change it."""
    return {}


@pytest.fixture(scope="module")
async def app_server(app_env, tmp_path_factory) -> AsyncIterator[AppServer]:
    """A wiped database, `hallwatch seed-demo --days 1`, then `hallwatch serve` on a free port."""
    await reset_database()
    env = {**os.environ, **app_env}
    command = hallwatch_command()
    seeded = subprocess.run(
        [command, "seed-demo", "--password", DEMO_PASSWORD, "--days", "1"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, f"seed-demo failed:\n{seeded.stdout}\n{seeded.stderr}"
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "hallwatch-serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz", process, log)
        yield AppServer(url=url, log=log)
    finally:
        stop(process)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


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
    await page.wait_for_url(f"**{landing}")


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
