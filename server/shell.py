"""The installable app shell: the web app manifest and the service worker, served from the
site root so the worker's scope is the whole site."""

from __future__ import annotations

import hashlib
import re
from functools import cache

from litestar import Response, get
from litestar.response import File

from server.settings import WEB_DIR

VERSION_LINE = re.compile(r'const VERSION = "([^"]*)";')
# What the worker keeps or renders from: a change to any of these is a new version.
SHELL_SOURCES = ("static", "templates", "sw.js")


@cache
def shell_fingerprint() -> str:
    digest = hashlib.sha256()
    for source in SHELL_SOURCES:
        root = WEB_DIR / source
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(WEB_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@cache
def service_worker_script() -> str:
    """sw.js with its VERSION stamped by the shell's content, so a deploy that changes any
    asset or page installs a new worker and fresh caches even when nobody bumped it."""
    script = (WEB_DIR / "sw.js").read_text()
    return VERSION_LINE.sub(
        lambda m: f'const VERSION = "{m.group(1)}-{shell_fingerprint()}";', script, count=1
    )


@get("/sw.js", exclude_from_auth=True, include_in_schema=False)
async def service_worker() -> Response:
    # Never cached by HTTP: a stale worker script would pin phones to an old app shell.
    return Response(
        service_worker_script(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@get("/manifest.webmanifest", exclude_from_auth=True, include_in_schema=False)
async def manifest() -> File:
    return File(
        WEB_DIR / "manifest.webmanifest",
        media_type="application/manifest+json",
        content_disposition_type="inline",
    )
