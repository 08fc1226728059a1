"""The change feed phones pull from, with a cursor that never skips a late commit.

On PostgreSQL a sequence value is taken before commit, so "rows with seq > last seen" can
skip a row whose transaction started earlier and committed later. Each change therefore
records its transaction id, and a pull returns the changes of transactions that had all
finished when the pull's snapshot was taken (txid below the snapshot's xmin) and that the
previous pull had not covered (txid at or above the previous xmin). On SQLite writers are
serialised, so the sequence itself is the cursor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sync.db import is_sqlite, write_transaction
from sync.tables import SyncChange, SyncFeedFloor

RETENTION = dt.timedelta(days=14)
PG_XID = "pg_current_xact_id()::text::bigint"
PG_XMIN = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


@dataclass(frozen=True)
class Page:
    """What changed since a cursor, in commit order, and the cursor to send next time."""

    changes: list[dict]
    cursor: str


async def note_change(entity: str, entity_id, device: str = "", op: str = "upsert") -> None:
    """Record that a record a phone may hold changed. Call it inside the writing
    transaction, so the change and its note commit together."""
    if is_sqlite():
        await SyncChange.insert(
            SyncChange(txid=0, entity=entity, entity_id=str(entity_id), device=device, op=op)
        )
        return
    await SyncChange.raw(
        "INSERT INTO sync_change (txid, entity, entity_id, device, op, changed_at) "
        f"VALUES ({PG_XID}, {{}}, {{}}, {{}}, {{}}, now())",
        entity,
        str(entity_id),
        device,
        op,
    )


async def current_cursor() -> str:
    """The cursor from which a phone that has just taken a full snapshot continues. Take it
    before reading the snapshot: a change in flight then is sent again, never lost."""
    if is_sqlite():
        row = (
            await SyncChange.select(SyncChange.seq)
            .order_by(SyncChange.seq, ascending=False)
            .first()
        )
        return str(row["seq"] if row else 0)
    rows = await SyncChange.raw(f"SELECT {PG_XMIN} AS xmin")
    return str(rows[0]["xmin"])


def parse_cursor(cursor: str | None) -> int | None:
    try:
        return int(cursor) if cursor else None
    except ValueError:
        return None


async def is_expired(position: int) -> bool:
    """Whether changes after `position` may already have been pruned."""
    floor = await SyncFeedFloor.select(SyncFeedFloor.position).first()
    return floor is not None and position < floor["position"]


async def changes_since(position: int, device: str) -> Page:
    """The changes this device should see after `position`: its own records and the
    shared ones (device "")."""
    devices = [device, ""] if device else [""]
    if is_sqlite():
        rows = (
            await SyncChange.select(
                SyncChange.seq, SyncChange.entity, SyncChange.entity_id, SyncChange.op
            )
            .where((SyncChange.seq > position) & SyncChange.device.is_in(devices))
            .order_by(SyncChange.seq)
        )
        return Page(rows, str(rows[-1]["seq"] if rows else position))
    rows = await SyncChange.raw(
        f"WITH snap AS (SELECT {PG_XMIN} AS xmin) "
        "SELECT c.seq, c.entity, c.entity_id, c.op, snap.xmin FROM snap "
        "LEFT JOIN sync_change c ON c.txid >= {} AND c.txid < snap.xmin "
        "AND c.device = ANY({}) ORDER BY c.txid, c.seq",
        position,
        devices,
    )
    changes = [{k: r[k] for k in ("seq", "entity", "entity_id", "op")} for r in rows if r["seq"]]
    return Page(changes, str(rows[0]["xmin"]))


async def prune(now: dt.datetime) -> None:
    """Forget changes older than the retention; phones behind that start afresh."""
    old = SyncChange.changed_at < now - RETENTION
    column = SyncChange.seq if is_sqlite() else SyncChange.txid
    top = (
        await SyncChange.select(column.as_alias("top"))
        .where(old)
        .order_by(column, ascending=False)
        .first()
    )
    if top is None:
        return
    async with write_transaction():
        await SyncFeedFloor.delete(force=True)
        await SyncFeedFloor.insert(SyncFeedFloor(position=top["top"] + 1))
        await SyncChange.delete().where(old)
