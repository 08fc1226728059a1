"""GET /healthz: is the app up and can it reach its database (no login)."""

from __future__ import annotations

from litestar import get
from litestar.response import Response

from server.db import engine
from server.migrations import pending_migrations


@get("/healthz", exclude_from_auth=True)
async def healthz() -> Response:
    db = engine()
    try:
        await db.run_ddl("SELECT 1")
        pending = await pending_migrations()
    except Exception as exc:  # a health check reports the failure instead of raising it
        body = {"status": "error", "database": "unreachable", "error": type(exc).__name__}
        return Response(body, status_code=503)
    body = {
        "status": "ok",
        "database": "ok",
        "engine": db.engine_type,
        "pending_migrations": pending,
    }
    return Response(body)
