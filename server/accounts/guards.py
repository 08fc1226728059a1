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
    guard.roles = frozenset(allowed)  # read by the fuzz tests to send only admitted roles
    return guard


EVERYONE = allow(*Role)
OFFICE = allow(Role.office, Role.leader)
# Who may see full phone and ID numbers (SPEC, privacy: office and leaders), on screen or in
# an export; each such look is audited. The one place this rule is written.
FULL_NUMBERS = allow(Role.office, Role.leader)
# Who may open the daily zero report (/zero-report/): its controller's guard, and the rule
# for showing a link to it elsewhere (a staff member's duty log would lead to a 403).
ZERO_REPORT = allow(Role.head, Role.office, Role.leader)
DESK = allow(Role.desk)
ADMIN = allow(Role.admin)


def may_see_full_numbers(user) -> bool:
    """Whether this user may ask for full numbers (the FULL_NUMBERS guard's rule)."""
    return user is not None and user.role in FULL_NUMBERS.roles
