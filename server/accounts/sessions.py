"""Server-side login sessions whose id is replaced at login (no session fixation), written
back only when they changed or their expiry is due to be pushed on."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)

from server import clock
from server.accounts.service import CurrentUser, session_data

ROTATE_FLAG = "hallwatch_rotate_session"
NEW_ID = "hallwatch_new_session_id"
LOADED = "hallwatch_session_loaded"
# A session's stored expiry slides forward at most this often: writing the unchanged session
# back on every request cost a database write per page view. It still lasts `max_age` after
# the latest request, give or take this much (the cookie itself slides on every response).
EXPIRY_STEP = dt.timedelta(minutes=5)
_KEEP_STORED: ContextVar[bool] = ContextVar("hallwatch_keep_stored_session", default=False)


def rotate_session_id(connection: ASGIConnection) -> None:
    """Ask for a fresh session id when this response stores the session; the old one is
    deleted from the store."""
    connection.scope.setdefault("state", {})[ROTATE_FLAG] = True


def open_session(connection: ASGIConnection, user: CurrentUser) -> None:
    """Log `user` in under a fresh session id (at login, and after a new password of their
    own has ended the session they set it from)."""
    rotate_session_id(connection)
    connection.set_session(session_data(user))


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})
        if ROTATE_FLAG not in state:
            return super().get_session_id(connection)
        if NEW_ID not in state:
            state[NEW_ID] = self.generate_session_id()
        return state[NEW_ID]

    async def load_from_connection(self, connection: ASGIConnection) -> dict:
        session_id = connection.cookies.get(self.config.key)
        store = self.config.get_store_from_app(connection.scope["app"])
        if not session_id or not hasattr(store, "get_with_expiry"):
            return await super().load_from_connection(connection)
        found = await store.get_with_expiry(session_id)
        if found is None:
            return {}
        connection.scope.setdefault("state", {})[LOADED] = found
        return self.deserialize_data(found[0])

    def _unchanged(self, scope_session, connection: ASGIConnection) -> bool:
        """The session as it was loaded, with its stored expiry pushed on recently."""
        state = connection.scope.setdefault("state", {})
        if ROTATE_FLAG in state or LOADED not in state or not isinstance(scope_session, dict):
            return False
        data, expires_at = state[LOADED]
        if self.serialize_data(scope_session, connection.scope) != data:
            return False
        if expires_at is None or self.config.max_age is None:
            return expires_at is None and self.config.max_age is None
        pushed_at = expires_at - dt.timedelta(seconds=self.config.max_age)
        return clock.now() - pushed_at < EXPIRY_STEP

    async def set(self, session_id: str, data: bytes, store) -> None:
        if not _KEEP_STORED.get():
            await super().set(session_id, data, store)

    async def store_in_message(self, scope_session, message, connection) -> None:
        state = connection.scope.setdefault("state", {})
        old_id = connection.cookies.get(self.config.key)
        if not scope_session and not old_id:
            # Nothing to keep and nothing to forget (a phone pushing with its device token, a
            # visitor on a public page): no session row written, no cookie set.
            return
        if ROTATE_FLAG in state and old_id and NEW_ID not in state:
            store = self.config.get_store_from_app(connection.scope["app"])
            await self.delete(old_id, store=store)
        # The cookie is set as always; only the store's write is left out when it would
        # write back what is there.
        keep = _KEEP_STORED.set(self._unchanged(scope_session, connection))
        try:
            await super().store_in_message(scope_session, message, connection)
        finally:
            _KEEP_STORED.reset(keep)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
