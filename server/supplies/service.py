"""Supplies (防控物品): items, the stock ledger and the overview the office works from.

Every write is idempotent on the id made when its form was rendered and writes its audit row
in the same transaction. The stock check and the new ledger line share one transaction that
holds the item's lock, so two issues at once cannot both spend the last box."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from piccolo.query.functions.aggregate import Min, Sum

from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem
from server.db import write_transaction
from server.i18n import N_
from server.org.tables import Department, Person
from server.supplies import stock
from server.supplies.tables import MovementKind, StockMovement, SupplyItem
from sync.db import is_sqlite


@dataclass(frozen=True)
class Recorded:
    """The stored row after a write, and whether this call stored it (False: a replay)."""

    row: dict
    created: bool


async def item(item_id: uuid.UUID) -> dict | None:
    return await SupplyItem.select().where(SupplyItem.id == item_id).first()


async def _name_taken(name: str, other_than: uuid.UUID) -> bool:
    clash = await SupplyItem.count().where(
        (SupplyItem.name == name) & (SupplyItem.id != other_than)
    )
    return clash > 0


async def create_item(entry_id: uuid.UUID, form: dict, actor: Actor) -> Recorded:
    """A new supply item, or the one already stored under `entry_id`."""
    fields = stock.clean_item(form)
    async with write_transaction():
        if stored := await item(entry_id):
            return Recorded(stored, created=False)
        if await _name_taken(fields["name"], entry_id):
            raise Invalid([Problem("name", N_("There is already an item with this name"))])
        await SupplyItem.insert(SupplyItem(id=entry_id, **fields))
        stored = await item(entry_id)
        await audit.record(actor, "create", "supply_item", entry_id, None, stored)
    return Recorded(stored, created=True)


async def update_item(item_id: uuid.UUID, form: dict, actor: Actor) -> dict:
    """Rename an item or change its low-stock level; the unit stays, because the ledger's
    quantities were counted in it."""
    fields = stock.clean_item(form)
    del fields["unit"]
    async with write_transaction():
        before = await item(item_id)
        if before is None:
            raise LookupError(item_id)
        if await _name_taken(fields["name"], item_id):
            raise Invalid([Problem("name", N_("There is already an item with this name"))])
        if all(before[k] == v for k, v in fields.items()):
            return before
        await SupplyItem.update(fields).where(SupplyItem.id == item_id)
        after = await item(item_id)
        await audit.record(actor, "update", "supply_item", item_id, before, after)
    return after


async def _lock_item(item_id: uuid.UUID) -> dict:
    """The item, locked until the transaction ends. SQLite's IMMEDIATE transaction already
    holds the one write lock, and it has no FOR UPDATE."""
    query = SupplyItem.select().where(SupplyItem.id == item_id)
    if not is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise LookupError(item_id)
    return row


async def item_balance(item_id: uuid.UUID) -> int:
    row = (
        await StockMovement.select(Sum(StockMovement.quantity).as_alias("total"))
        .where(StockMovement.item == item_id)
        .first()
    )
    return int(row["total"] or 0) if row else 0


async def _check_recipient(fields: dict) -> None:
    """The department and the person an issue names must exist (the form offers only those)."""
    if fields["department"] is not None and not await Department.exists().where(
        Department.id == fields["department"]
    ):
        raise Invalid([Problem("recipient", N_("Choose the department or the person"))])
    if fields["person"] is not None and not await Person.exists().where(
        Person.id == fields["person"]
    ):
        raise Invalid([Problem("recipient", N_("Choose the department or the person"))])


async def record_movement(
    entry_id: uuid.UUID,
    item_id: uuid.UUID,
    kind: MovementKind,
    form: dict,
    actor: Actor,
    today: dt.date,
) -> Recorded:
    """Append a purchase, an issue or an adjustment to the ledger (or return the line already
    stored under `entry_id`). An issue or a count the stock cannot cover on its day, or that
    would leave a later day of the ledger below zero, is refused."""
    fields = stock.clean_movement(kind, form, today)
    await _check_recipient(fields)
    async with write_transaction():
        locked = await _lock_item(item_id)
        if stored := await movement(entry_id):
            return Recorded(stored, created=False)
        lines = await _ledger_lines(item_id)
        stock.check_movement(lines, kind, fields["day"], fields["quantity"], locked["unit"])
        await StockMovement.insert(
            StockMovement(id=entry_id, item=item_id, kind=kind, recorded_by=actor.user_id, **fields)
        )
        stored = await movement(entry_id)
        await audit.record(actor, "create", "stock_movement", entry_id, None, stored)
    return Recorded(stored, created=True)


async def _ledger_lines(item_id: uuid.UUID) -> list[tuple[dt.date, int]]:
    """The item's (day, quantity) lines in ledger order, for the stock check."""
    rows = (
        await StockMovement.select(StockMovement.day, StockMovement.quantity)
        .where(StockMovement.item == item_id)
        .order_by(StockMovement.day)
        .order_by(StockMovement.recorded_at)
        .order_by(StockMovement.id)
    )
    return [(_as_date(r["day"]), r["quantity"]) for r in rows]


def _as_date(value) -> dt.date:
    """A day from the database; SQLite answers an aggregate over dates as text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _movement_rows():
    return StockMovement.select(
        *StockMovement.all_columns(),
        StockMovement.item.name.as_alias("item_name"),
        StockMovement.item.unit.as_alias("unit"),
        StockMovement.department.name.as_alias("department_name"),
        StockMovement.person.name.as_alias("person_name"),
        StockMovement.recorded_by.display_name.as_alias("recorded_by_name"),
    )


async def movement(movement_id: uuid.UUID) -> dict | None:
    return await _movement_rows().where(StockMovement.id == movement_id).first()


async def ledger(item_id: uuid.UUID) -> list[dict]:
    """The item's movements as a 台账 reads: by the day they happened, newest first, each
    with the balance after it (a late entry for an earlier day lands in its place)."""
    rows = (
        await _movement_rows()
        .where(StockMovement.item == item_id)
        .order_by(StockMovement.day)
        .order_by(StockMovement.recorded_at)
        .order_by(StockMovement.id)
    )
    running = 0
    for row in rows:
        running += row["quantity"]
        row["balance_after"] = running
    return rows[::-1]


async def movements(since: dt.date | None = None, until: dt.date | None = None) -> list[dict]:
    """Every movement in the period (by the day it happened), oldest first, for the export."""
    query = _movement_rows()
    if since:
        query = query.where(StockMovement.day >= since)
    if until:
        query = query.where(StockMovement.day <= until)
    return await query.order_by(StockMovement.day).order_by(StockMovement.recorded_at)


async def _sums_by_item(*conditions) -> dict:
    query = StockMovement.select(
        StockMovement.item, Sum(StockMovement.quantity).as_alias("total")
    ).group_by(StockMovement.item)
    for condition in conditions:
        query = query.where(condition)
    return {row["item"]: int(row["total"] or 0) for row in await query}


async def _first_issues(*conditions) -> dict:
    """Item → the day it was first issued (the day its use began)."""
    query = StockMovement.select(
        StockMovement.item, Min(StockMovement.day).as_alias("first")
    ).where(StockMovement.kind == MovementKind.issue)
    for condition in conditions:
        query = query.where(condition)
    return {row["item"]: _as_date(row["first"]) for row in await query.group_by(StockMovement.item)}


async def overview(today: dt.date, only: uuid.UUID | None = None) -> list[dict]:
    """Every item (or `only` that one) with its balance, its use over the last week, the days
    that stock lasts at that rate (the use divided by the days of the week the item was in
    use) and its state (ok, low, out: low too when it will not last the restock days);
    items that need attention first."""
    since = today - dt.timedelta(days=stock.USE_WINDOW_DAYS - 1)
    mine = [] if only is None else [StockMovement.item == only]
    balances = await _sums_by_item(*mine)
    issued = await _sums_by_item(
        *mine,
        StockMovement.kind == MovementKind.issue,
        StockMovement.day >= since,
        StockMovement.day <= today,
    )
    first_issue = await _first_issues(*mine)
    items = SupplyItem.select().order_by(SupplyItem.name)
    if only is not None:
        items = items.where(SupplyItem.id == only)
    rows = []
    for found in await items:
        current = balances.get(found["id"], 0)
        used = -issued.get(found["id"], 0)
        in_use = stock.days_in_use(first_issue.get(found["id"]), today)
        left = stock.days_left(current, used, in_use)
        rows.append(
            {
                **found,
                "balance": current,
                "used_recently": used,
                "days_left": left,
                "state": stock.stock_state(current, found["low_stock"], left),
            }
        )
    order = {"out": 0, "low": 1, "ok": 2}
    return sorted(rows, key=lambda r: order[r["state"]])


async def item_overview(item_id: uuid.UUID, today: dt.date) -> dict | None:
    """One item as the overview shows it, or None when there is no such item."""
    found = await overview(today, only=item_id)
    return found[0] if found else None
