"""The installable app shell: the web app manifest and the service worker, served from the
site root so the worker's scope is the whole site."""

from __future__ import annotations

from litestar import get
from litestar.response import File

from server.settings import WEB_DIR


@get("/sw.js", exclude_from_auth=True, include_in_schema=False)
async def service_worker() -> File:
    # Never cached by HTTP: a stale worker script would pin phones to an old app shell.
    return File(
        WEB_DIR / "sw.js",
        media_type="text/javascript",
        content_disposition_type="inline",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@get("/manifest.webmanifest", exclude_from_auth=True, include_in_schema=False)
async def manifest() -> File:
    return File(
        WEB_DIR / "manifest.webmanifest",
        media_type="application/manifest+json",
        content_disposition_type="inline",
    )
