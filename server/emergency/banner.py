"""The state the emergency banner shows (server.web.render hands it to every template)."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from server.emergency import service


class BannerState(ASGIMiddleware):
    """Every page shows the banner while emergency response is on: the public ones (/hall,
    /visit) and the error pages too. A middleware, not a before_request hook: guards and the
    CSRF check refuse a request before such a hook runs, and their error page needs the state.
    Files that never show it are served without a look at the database, so the app shell
    still loads while the database is down."""

    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = ("^/static", "^/sw.js$", "^/manifest", "^/healthz$")

    async def handle(self, scope, receive, send, next_app) -> None:
        scope.setdefault("state", {})["emergency"] = await service.current()
        await next_app(scope, receive, send)
