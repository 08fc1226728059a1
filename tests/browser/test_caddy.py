"""The repository's Caddyfile in front of the real app, two processes of it on one database:
HTTPS from Caddy's local CA, the cache and security headers, compression, the HTTP → HTTPS
redirect, a login with secure cookies, and the offline desk synced through it.

`caddy run` gets free high ports through the Caddyfile's environment placeholders and a
temporary home for its CA, so the test touches neither ports 80/443 nor the trust store."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, AppServer, log_in
from tests.browser.test_offline_desk import entry, open_desk, record_visitor, stored_once
from tests.servers import free_port, serve, stop, wait_until_up

pytestmark = pytest.mark.browser

CADDYFILE = REPO_ROOT / "Caddyfile"
YEAR = "max-age=31536000"


@dataclass(frozen=True)
class Caddy:
    url: str
    http_url: str
    root_certificate: Path

    def client(self) -> httpx.Client:
        """A client that trusts only Caddy's local CA, as an enrolled phone would."""
        context = ssl.create_default_context(cafile=str(self.root_certificate))
        return httpx.Client(base_url=self.url, verify=context, timeout=10)


@pytest.fixture(scope="module")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    """Chromium that accepts Caddy's own local certificate authority: it registers no service
    worker on a page whose certificate it does not trust, and the desk needs one offline.
    (A hall's phones trust the LAN's root once, as the README says.)"""
    args = [*CHROMIUM_ARGS, "--ignore-certificate-errors"]
    launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield launched
    await launched.close()


@pytest.fixture(scope="module")
def app_env() -> dict[str, str]:
    return {"HALLWATCH_SECURE_COOKIES": "1"}


@pytest.fixture(scope="module")
def second_app(app_server: AppServer, app_env, tmp_path_factory) -> Iterator[AppServer]:
    """A second `hallwatch serve` on the same database, as a deployment runs several."""
    port, log = free_port(), tmp_path_factory.mktemp("second") / "hallwatch-serve.log"
    process = serve(port, {**os.environ, **app_env}, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz", process, log)
        yield AppServer(url=url, log=log)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def caddy(app_server: AppServer, second_app: AppServer, tmp_path_factory) -> Iterator[Caddy]:
    binary = shutil.which("caddy")
    assert binary, "Caddy is not installed (apt-get install caddy)"
    home = tmp_path_factory.mktemp("caddy")
    https_port, http_port, admin_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "HALLWATCH_HOST": "localhost",
        "HALLWATCH_HTTPS_PORT": str(https_port),
        "HALLWATCH_HTTP_PORT": str(http_port),
        "HALLWATCH_CADDY_ADMIN": f"127.0.0.1:{admin_port}",
        # Both processes, as `reverse_proxy` lists them in a deployment.
        "HALLWATCH_UPSTREAM": " ".join(urlsplit(a.url).netloc for a in (app_server, second_app)),
    }
    log = home / "caddy.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [binary, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"https://localhost:{https_port}"
    try:
        wait_until_up(f"{url}/healthz", process, log)
        root = home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        assert root.exists(), log.read_text()
        yield Caddy(url=url, http_url=f"http://localhost:{http_port}", root_certificate=root)
    finally:
        stop(process)


def test_healthz_answers_over_https_with_the_security_headers(caddy: Caddy):
    with caddy.client() as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.http_version in ("HTTP/1.1", "HTTP/2")
    headers = response.headers
    assert headers["strict-transport-security"].startswith(YEAR)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "server" not in headers


def test_versioned_files_are_cached_for_a_year_and_compressed(caddy: Caddy):
    with caddy.client() as client:
        response = client.get(
            "/static/vendor/htmx-2.0.11.min.js", headers={"accept-encoding": "gzip"}
        )
    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == [f"public, {YEAR}, immutable"]
    assert response.headers["content-encoding"] == "gzip"
    assert "set-cookie" not in response.headers


def test_own_static_files_are_revalidated(caddy: Caddy):
    with caddy.client() as client:
        response = client.get("/static/app.css", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == ["no-cache"]
    assert response.headers["content-encoding"] == "gzip"
    assert "set-cookie" not in response.headers
    assert response.headers["content-type"].startswith("text/css")


def test_the_service_worker_is_never_cached(caddy: Caddy):
    with caddy.client() as client:
        response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == ["no-cache"]
    assert "javascript" in response.headers["content-type"]


def test_plain_http_redirects_to_https(caddy: Caddy):
    response = httpx.get(f"{caddy.http_url}/desk", follow_redirects=False, timeout=10)
    assert response.status_code in (301, 302, 307, 308)
    assert response.headers["location"] == f"{caddy.url}/desk"


async def test_logging_in_through_caddy_sets_secure_cookies(caddy: Caddy, new_context):
    context = await new_context(base_url=caddy.url, ignore_https_errors=True)
    page = await context.new_page()

    await log_in(page, "desk", "/desk")

    await expect(page.locator("#visitor-panel form")).to_be_visible()
    cookies = {c["name"]: c for c in await context.cookies()}
    assert cookies["hallwatch_session"]["secure"] is True
    assert all(c["secure"] and c["httpOnly"] for c in cookies.values()), cookies


async def test_the_offline_desk_syncs_through_caddy_to_either_process(
    caddy: Caddy, app_server: AppServer, second_app: AppServer, new_context
):
    context = await new_context(base_url=caddy.url, ignore_https_errors=True)
    page = await context.new_page()
    await log_in(page, "desk", "/desk")
    await open_desk(page)
    await context.set_offline(True)
    names = ["卡迪一", "卡迪二", "卡迪三"]
    for n, name in enumerate(names):
        await record_visitor(page, name, f"1381234008{n}", "36.6")
        await expect(entry(page, name)).to_have_class(re.compile("sync-queued"))
    await context.set_offline(False)
    for name in names:
        await expect(entry(page, name)).to_have_class(re.compile("sync-synced"))
    await stored_once(names)
    # Caddy spread the phone's requests over both processes (their access logs say so).
    for process in (app_server, second_app):
        served = [line for line in process.log.read_text().splitlines() if '"GET /' in line]
        assert [line for line in served if "/healthz" not in line], process.log
