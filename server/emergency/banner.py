"""The state the emergency banner shows (server.web.render hands it to every template)."""

from __future__ import annotations

import re

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from server.emergency import service

NO_BANNER = re.compile(r"^/static/|^/sw\.js$|^/manifest|^/healthz$")


class BannerState(ASGIMiddleware):
    """Every page shows the banner while emergency response is on: the public ones (/hall,
    /visit) and the error pages too. A middleware, not a before_request hook: guards and the
    CSRF check refuse a request before such a hook runs, and their error page needs the state.
    Files that never show it are served without a look at the database, so the app shell
    still loads while the database is down."""

    scopes = (ScopeType.HTTP,)
    # Matched against the request's path: Litestar 3 matches exclusion patterns against the
    # route's path, and all of /static is one route.
    should_bypass_for_scope = staticmethod(lambda scope: bool(NO_BANNER.match(scope["path"])))

    async def handle(self, scope, receive, send, next_app) -> None:
        scope.setdefault("state", {})["emergency"] = await service.current()
        await next_app(scope, receive, send)
