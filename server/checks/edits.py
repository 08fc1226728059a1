"""Corrections to a stored visitor check, from a phone or the office, merged field by field.

Each field remembers the version it last changed at, who changed it and their clock stamp
(`field_meta`), so an edit based on an older version merges three-way (sync.merge). A
correction that would relax the check's status (a fever or a hold turned normal) is never
applied by itself: it waits in the office's conflict queue with both versions."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from server.audit import service as audit
from server.audit.service import Actor
from server.checks.holds import raise_if_newly_held
from server.checks.rules import SEVERITY, VISITOR_FIELDS, clean_fields, visitor_status
from server.checks.service import visitor_check
from server.checks.tables import VisitorCheck
from server.db import write_transaction
from server.policy.service import Policy
from sync.feed import note_change
from sync.hlc import Clock
from sync.merge import MergeResult, Side, merge
from sync.protocol import jsonable
from sync.tables import SyncConflict

EDITABLE = tuple(VISITOR_FIELDS) + ("time_out",)
SERVER_CLOCK = Clock("server")


def office_side(role: str) -> Side:
    """A change made in the office's browser, stamped by the server's clock."""
    return Side(role, SERVER_CLOCK.tick().encode())


@dataclass(frozen=True)
class EditOutcome:
    check: dict
    merged: MergeResult
    conflict_id: uuid.UUID | None


def _stored_value(name: str, value):
    return ",".join(value) if name == "symptoms" else value


def _relaxes(check: dict, policy: Policy):
    """A test of whether changing one field alone would lower the check's status."""
    current = SEVERITY[visitor_status(check, policy)]

    def unsafe(name: str, _old, new) -> bool:
        if name not in ("temperature", "remeasure_temperature", "symptoms", "travel_or_contact"):
            return False
        return SEVERITY[visitor_status({**check, name: new}, policy)] < current

    return unsafe


def _field_meta(check: dict) -> tuple[dict[str, int], dict[str, Side]]:
    meta = check.get("field_meta") or {}
    if isinstance(meta, str):
        meta = json.loads(meta or "{}")
    versions = {f: m["v"] for f, m in meta.items()}
    sides = {f: Side(m.get("src", ""), m.get("stamp", "")) for f, m in meta.items()}
    return versions, sides


async def edit_visitor_check(
    check_id: uuid.UUID,
    changes: dict,
    base_version: int,
    side: Side,
    actor: Actor,
    policy: Policy,
    mutation_id: uuid.UUID | None = None,
    guard_safety: bool = True,
) -> EditOutcome:
    """Merge `changes` (made on a copy at `base_version`) into the stored check.

    Raises LookupError for an unknown check and Invalid for a bad value. With `guard_safety`
    (every change from a phone) a status-relaxing change goes to the conflict queue."""
    names = [n for n in changes if n in EDITABLE and n != "time_out"]
    cleaned = clean_fields(changes, names, policy)
    cleaned = {n: _stored_value(n, v) for n, v in cleaned.items()}
    if "time_out" in changes:
        cleaned["time_out"] = changes["time_out"]
    async with write_transaction():
        before = await visitor_check(check_id)
        if before is None:
            raise LookupError(check_id)
        versions, sides = _field_meta(before)
        unsafe = _relaxes(before, policy) if guard_safety else (lambda *_: False)
        merged = merge(before, versions, sides, base_version, cleaned, side, unsafe)
        if merged.apply:
            await _apply(before, merged.apply, side, policy)
        after = await visitor_check(check_id)
        if merged.apply:
            await audit.record(actor, "update", "visitor_check", check_id, before, after)
            await raise_if_newly_held("visitor_check", before, after, actor)
        if merged.lost:
            await audit.record(
                actor, "conflict_lost", "visitor_check", check_id, None, {"lost": merged.lost}
            )
        conflict_id = None
        if merged.held:
            conflict_id = await _queue_for_office(before, merged.held, actor, mutation_id)
        if after.get("device"):
            await note_change("visitor_check", check_id, device=after["device"])
    return EditOutcome(after, merged, conflict_id)


async def _apply(before: dict, values: dict, side: Side, policy: Policy) -> None:
    version = before["version"] + 1
    versions, sides = _field_meta(before)
    meta = {
        f: {"v": versions[f], "src": sides[f].source, "stamp": sides[f].stamp} for f in versions
    }
    for name in values:
        meta[name] = {"v": version, "src": side.source, "stamp": side.stamp}
    status = visitor_status({**before, **values}, policy)
    await VisitorCheck.update(
        {
            **{getattr(VisitorCheck, n): v for n, v in values.items()},
            VisitorCheck.status: status,
            VisitorCheck.version: version,
            VisitorCheck.field_meta: meta,
        }
    ).where(VisitorCheck.id == before["id"])


async def _queue_for_office(before: dict, held: dict, actor: Actor, mutation_id) -> uuid.UUID:
    conflict_id = uuid.uuid4()
    await SyncConflict.insert(
        SyncConflict(
            id=conflict_id,
            entity="visitor_check",
            entity_id=str(before["id"]),
            mutation_id=mutation_id or conflict_id,
            device=actor.device,
            proposed_by=actor.username,
            proposed=jsonable(held),
            current=jsonable(before),
        )
    )
    await audit.record(
        actor,
        "conflict_queued",
        "visitor_check",
        before["id"],
        None,
        {"proposed": held, "conflict": conflict_id},
    )
    return conflict_id


async def open_conflicts() -> list[dict]:
    """Changes waiting for the office, oldest first, with both versions."""
    return (
        await SyncConflict.select()
        .where(SyncConflict.resolved_at.is_null())
        .order_by(SyncConflict.created_at)
        .output(load_json=True)
    )


async def resolve_conflict(
    conflict_id: uuid.UUID, accept: bool, side: Side, actor: Actor, policy: Policy
) -> None:
    """The office's decision: apply the proposed change (as its own edit) or keep the record
    as it is. Deciding twice changes nothing."""
    async with write_transaction():
        conflict = (
            await SyncConflict.select()
            .where((SyncConflict.id == conflict_id) & SyncConflict.resolved_at.is_null())
            .output(load_json=True)
            .first()
        )
        if conflict is None:
            return
        check_id = uuid.UUID(conflict["entity_id"])
        if accept:
            current = await visitor_check(check_id)
            await edit_visitor_check(
                check_id,
                conflict["proposed"],
                current["version"],
                side,
                actor,
                policy,
                guard_safety=False,
            )
        await SyncConflict.update(
            {
                SyncConflict.resolved_at: dt.datetime.now(dt.UTC),
                SyncConflict.resolved_by: actor.username,
                SyncConflict.resolution: "applied" if accept else "kept",
            }
        ).where(SyncConflict.id == conflict_id)
        await audit.record(
            actor,
            "conflict_resolved",
            "visitor_check",
            check_id,
            None,
            {"conflict": conflict_id, "applied": accept},
        )
