"""A person's work status (on duty / stay home, await notice / sick absence) and its history.
Every change is kept (who, when, from → to, why, note) and audited; only the office brings a
person back on duty (可返岗)."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem
from server.db import write_transaction
from server.declarations import alerts
from server.declarations.access import person_row
from server.declarations.tables import SickAbsence, WorkState, WorkStatus, WorkStatusChange
from server.i18n import N_
from sync.db import is_sqlite


async def states_of(person_ids: list[int]) -> dict[int, dict]:
    """person id → {state, since} for those not on duty (everyone else is)."""
    if not person_ids:
        return {}
    rows = await WorkStatus.select(WorkStatus.person, WorkStatus.state, WorkStatus.since).where(
        WorkStatus.person.is_in(person_ids) & (WorkStatus.state != WorkState.on_duty)
    )
    return {r["person"]: r for r in rows}


async def state_of(person_id: int) -> dict:
    found = await states_of([person_id])
    return found.get(person_id, {"person": person_id, "state": WorkState.on_duty, "since": None})


async def _locked(person_id: int, now: dt.datetime) -> dict:
    """The person's status row, created on first use, locked until the transaction ends
    (SQLite's write lock already serialises writers)."""
    await WorkStatus.insert(
        WorkStatus(person=person_id, state=WorkState.on_duty, since=now)
    ).on_conflict(target=WorkStatus.person, action="DO NOTHING")
    query = WorkStatus.select().where(WorkStatus.person == person_id)
    if not is_sqlite():
        query = query.lock_rows()
    return await query.first()


async def change_state(
    person_id: int,
    to: WorkState,
    cause: str,
    actor: Actor,
    *,
    ref: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> dict | None:
    """Move the person to `to`, inside the caller's write transaction; the history row (with
    its id), or None when they were there already."""
    now = now or clock.now()
    before = await _locked(person_id, now)
    if before["state"] == to:
        return None
    await WorkStatus.update(
        {
            WorkStatus.state: to,
            WorkStatus.since: now,
            WorkStatus.version: WorkStatus.version + 1,
        }
    ).where(WorkStatus.person == person_id)
    change = {
        "person": person_id,
        "from_state": before["state"],
        "to_state": to.value,
        "cause": cause,
        "ref": ref,
        "note": note[:300],
        "changed_by": actor.username,
        "at": now,
    }
    rows = await WorkStatusChange.insert(WorkStatusChange(**change)).returning(WorkStatusChange.id)
    change["id"] = rows[0]["id"]
    await audit.record(
        actor,
        "status",
        "work_status",
        person_id,
        {"state": before["state"]},
        {"state": to.value, "cause": cause, "ref": ref, "note": note},
    )
    return change


async def send_home(person_id: int, cause: str, actor: Actor, *, ref: str = "", note: str = ""):
    """A person on duty goes to stay home, awaiting notice, inside the caller's write
    transaction; someone registered sick stays so. The history row, or None."""
    if (await state_of(person_id))["state"] != WorkState.on_duty:
        return None
    return await change_state(person_id, WorkState.stay_home, cause, actor, ref=ref, note=note)


async def clear_to_work(
    person_id: int, note: str, actor: Actor, now: dt.datetime | None = None
) -> dict | None:
    """The office's clearance (可返岗): closes any open sick absence and puts the person back
    on duty, with the office's note; None when they were on duty already."""
    note = note.strip()
    if not note:
        raise Invalid([Problem("note", N_("Write why they may return to work"))])
    now = now or clock.now()
    person = await person_row(person_id)
    if person is None:
        raise LookupError(person_id)
    async with write_transaction():
        change = await change_state(
            person_id, WorkState.on_duty, "office_clearance", actor, note=note, now=now
        )
        if change is None:
            return None
        await _close_absences(person_id, note, actor, clock.local(now).date())
        await alerts.notify("cleared", person, change["id"], {}, office=False)
    return change


async def _close_absences(person_id: int, note: str, actor: Actor, day: dt.date) -> None:
    """The return from any open sick absence of the person, on `day`."""
    still_open = (SickAbsence.person == person_id) & SickAbsence.returned_on.is_null()
    for absence in await SickAbsence.select(SickAbsence.id).where(still_open):
        after = {"returned_on": day, "cleared_by": actor.username, "clearance_note": note}
        await audit.record(actor, "return", "sick_absence", absence["id"], None, after)
    await SickAbsence.update(
        {
            SickAbsence.returned_on: day,
            SickAbsence.cleared_by: actor.username,
            SickAbsence.clearance_note: note[:300],
        }
    ).where(still_open)


async def history(person_id: int) -> list[dict]:
    """Every status change of the person, newest first."""
    return (
        await WorkStatusChange.select()
        .where(WorkStatusChange.person == person_id)
        .order_by(WorkStatusChange.id, ascending=False)
    )
