"""Server-side login sessions whose id is replaced at login (no session fixation)."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)

ROTATE_FLAG = "hallwatch_rotate_session"
NEW_ID = "hallwatch_new_session_id"


def rotate_session_id(connection: ASGIConnection) -> None:
    """Ask for a fresh session id when this response stores the session; the old one is
    deleted from the store."""
    connection.scope.setdefault("state", {})[ROTATE_FLAG] = True


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})
        if ROTATE_FLAG not in state:
            return super().get_session_id(connection)
        if NEW_ID not in state:
            state[NEW_ID] = self.generate_session_id()
        return state[NEW_ID]

    async def store_in_message(self, scope_session, message, connection) -> None:
        state = connection.scope.setdefault("state", {})
        old_id = connection.cookies.get(self.config.key)
        if ROTATE_FLAG in state and old_id and NEW_ID not in state:
            store = self.config.get_store_from_app(connection.scope["app"])
            await self.delete(old_id, store=store)
        await super().store_in_message(scope_session, message, connection)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
