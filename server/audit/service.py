"""Writing and reading the audit trail. Call `record` inside the transaction of the change it
describes, so a change and its audit row commit or vanish together."""

from __future__ import annotations

from dataclasses import dataclass

from server.audit.tables import AuditEntry
from sync.protocol import jsonable


@dataclass(frozen=True)
class Actor:
    """Who did it: an account (or nobody, for the system) and the device it came from."""

    username: str = "system"
    user_id: int | None = None
    device: str = ""


SYSTEM = Actor()


async def record(
    actor: Actor,
    action: str,
    entity: str,
    entity_id,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Append one audit row: `action` on `entity` #`entity_id`, from `before` to `after`."""
    await AuditEntry.insert(
        AuditEntry(
            actor=actor.username,
            actor_id=actor.user_id,
            device=actor.device,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=jsonable(before) if before is not None else None,
            after=jsonable(after) if after is not None else None,
        )
    )


async def history(entity: str, entity_id) -> list[dict]:
    """Every audit row of one record, oldest first, with before/after decoded."""
    rows = (
        await AuditEntry.select()
        .where((AuditEntry.entity == entity) & (AuditEntry.entity_id == str(entity_id)))
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )
    return rows
