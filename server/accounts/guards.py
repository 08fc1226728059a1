"""Role guards: every route names the roles it admits."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.accounts.tables import Role


def allow(*roles: Role):
    """A guard admitting only the given roles; anyone else gets 403."""
    allowed = {r.value for r in roles}

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if user is None or user.role not in allowed:
            raise PermissionDeniedException("role not admitted")

    guard.__name__ = f"allow_{'_'.join(sorted(allowed))}"
    return guard


EVERYONE = allow(*Role)
OFFICE = allow(Role.office, Role.leader)
DESK = allow(Role.desk)
ADMIN = allow(Role.admin)
