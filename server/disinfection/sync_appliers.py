"""The desk's disinfection rounds as sync mutations (`disinfection_round.create`): an
append-only event, so it cannot conflict; a replay answers `duplicate`."""

from __future__ import annotations

from server.checks.rules import Invalid
from server.checks.sync_appliers import _actor, _captured, _invalid
from server.disinfection import service
from server.i18n import N_
from sync.ingest import Origin, Registry, Rejected
from sync.protocol import Mutation, Result, Status

DESK_ROLES = {"desk", "office", "leader"}


def desk_only(apply):
    """An applier refusing entries pushed with the login of a role that does not work the
    desk (a staff member's browser), whatever the phone sent."""

    async def guarded(mutation: Mutation, origin: Origin) -> Result:
        if origin.role not in DESK_ROLES:
            raise Rejected(N_("Only the entrance desk or the office records this."))
        return await apply(mutation, origin)

    return guarded


async def create_round(mutation: Mutation, origin: Origin) -> Result:
    at, flag = _captured(mutation)
    try:
        recorded = await service.record_round(
            mutation.entity_id,
            mutation.fields,
            await _actor(mutation, origin),
            done_at=at,
            clock_flag=flag,
        )
    except Invalid as bad:
        raise _invalid(bad) from None
    return Result(
        id=str(mutation.id),
        status=Status.applied if recorded.created else Status.duplicate,
        version=1,
        row=service.phone_round(recorded.row),
    )


def register(registry: Registry) -> None:
    registry.register("disinfection_round.create", desk_only(create_round))
