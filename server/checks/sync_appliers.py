"""The desk's entries as sync mutations: how each kind is checked and applied.

Readings (a first reading, a re-measure) are appends and cannot conflict; the time out is an
edit, and the first one stands."""

from __future__ import annotations

import datetime as dt

from server.accounts.tables import UserAccount
from server.audit.service import Actor
from server.checks import bulk, edits, service
from server.checks.rules import Invalid
from server.i18n import N_
from server.policy.service import load_policy
from server.privacy import masked_row
from sync.hlc import Stamp
from sync.ingest import Origin, Registry, Rejected
from sync.merge import Side
from sync.protocol import Mutation, Result, Status, clock_flag


async def _actor(mutation: Mutation, origin: Origin) -> Actor:
    """The account that entered the entry on the phone (when the phone says and the account
    exists), else the one that pushed it; the device either way."""
    if mutation.by is not None:
        row = (
            await UserAccount.select(UserAccount.username)
            .where(UserAccount.id == mutation.by)
            .first()
        )
        if row:
            return Actor(username=row["username"], user_id=mutation.by, device=origin.device)
    return Actor(username=origin.username, user_id=origin.user_id, device=origin.device)


def _invalid(bad: Invalid) -> Rejected:
    return Rejected(
        N_("Please correct the marked fields."),
        {p.field: (p.message, p.params) for p in bad.problems},
    )


def _answer(mutation: Mutation, recorded: service.Recorded) -> Result:
    status = Status.applied if recorded.created else Status.duplicate
    return Result(
        id=str(mutation.id),
        status=status,
        version=recorded.check["version"],
        row=masked_row(recorded.check),
    )


def _captured(mutation: Mutation) -> tuple[dt.datetime, str]:
    return mutation.captured_at, clock_flag(mutation.captured_at, dt.datetime.now(dt.UTC)) or ""


def _create(record):
    """An applier storing a new check with `record` (service.record_*_check)."""

    async def apply(mutation: Mutation, origin: Origin) -> Result:
        at, flag = _captured(mutation)
        try:
            recorded = await record(
                mutation.entity_id,
                mutation.fields,
                await _actor(mutation, origin),
                await load_policy(),
                now=at,
                clock_flag=flag,
            )
        except Invalid as bad:
            raise _invalid(bad) from None
        return _answer(mutation, recorded)

    return apply


def _remeasure(remeasure):
    async def apply(mutation: Mutation, origin: Origin) -> Result:
        try:
            recorded = await remeasure(
                mutation.entity_id,
                str(mutation.fields.get("temperature", "")),
                await _actor(mutation, origin),
                await load_policy(),
            )
        except Invalid as bad:
            raise _invalid(bad) from None
        except LookupError:
            raise Rejected(N_("This entry's first reading is not on the server.")) from None
        return _answer(mutation, recorded)

    return apply


async def visitor_time_out(mutation: Mutation, origin: Origin) -> Result:
    try:
        left = dt.datetime.fromisoformat(str(mutation.fields.get("time_out")))
    except ValueError:
        raise Rejected(N_("The time out is not a time.")) from None
    if left.tzinfo is None:
        raise Rejected(N_("The time out is not a time."))
    try:
        recorded = await service.record_time_out(
            mutation.entity_id, await _actor(mutation, origin), now=left.astimezone(dt.UTC)
        )
    except LookupError:
        raise Rejected(N_("This entry's first reading is not on the server.")) from None
    return _answer(mutation, recorded)


async def edit_visitor(mutation: Mutation, origin: Origin) -> Result:
    """A correction made on a phone to a check it holds: merged field by field."""
    if mutation.base_version is None:
        raise Rejected(N_("A correction must name the version it was based on."))
    stamp = (
        mutation.stamp
        or Stamp(
            int(mutation.captured_at.timestamp() * 1000), 0, origin.device or origin.username
        ).encode()
    )
    side = Side(origin.role, stamp)
    try:
        outcome = await edits.edit_visitor_check(
            mutation.entity_id,
            mutation.fields,
            mutation.base_version,
            side,
            await _actor(mutation, origin),
            await load_policy(),
            mutation_id=mutation.id,
        )
    except Invalid as bad:
        raise _invalid(bad) from None
    except LookupError:
        raise Rejected(N_("This entry's first reading is not on the server.")) from None
    status = Status.conflict if outcome.merged.conflicted else Status.applied
    return Result(
        id=str(mutation.id),
        status=status,
        version=outcome.check["version"],
        row=masked_row(outcome.check),
    )


def register(registry: Registry) -> None:
    registry.register(
        "visitor_check.create",
        _create(service.record_visitor_check),
        bulk=bulk.create_visitor_checks,
    )
    registry.register("visitor_check.remeasure", _remeasure(service.remeasure_visitor))
    registry.register("visitor_check.time_out", visitor_time_out)
    registry.register("visitor_check.update", edit_visitor)
    registry.register("staff_check.create", _create(service.record_staff_check))
    registry.register("staff_check.remeasure", _remeasure(service.remeasure_staff))
