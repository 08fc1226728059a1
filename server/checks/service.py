"""Recording visitor and staff checks at the desk. Every write is idempotent on the entry id
and writes its audit row in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.holds import raise_if_newly_held
from server.checks.rules import (
    Invalid,
    Problem,
    clean_fields,
    count_typed_symptom,
    first_reading_status,
    parse_temperature,
    remeasure_status,
)
from server.checks.tables import CheckStatus, Direction, StaffCheck, VisitorCheck
from server.db import write_transaction
from server.i18n import N_
from server.org.tables import Person, Window
from server.policy.service import Policy
from sync.feed import note_change


@dataclass(frozen=True)
class Recorded:
    """The stored check after a write, and whether this call stored it (False: a replay)."""

    check: dict
    created: bool


async def _written(action: str, entity: str, check_id, actor: Actor, before, after) -> None:
    """Audit a write, tell the change feed so the phone that made the check sees it, and
    raise the incident when the write holds the person."""
    await audit.record(actor, action, entity, check_id, before, after)
    if after and after.get("device"):
        await note_change(entity, check_id, device=after["device"])
    if after:
        await raise_if_newly_held(entity, before, after, actor)


async def _insert_new(table, row) -> bool:
    """Insert `row` unless its id is stored already; True when this call stored it. The
    database decides, so two concurrent submissions of one entry store it once."""
    inserted = await table.insert(row).on_conflict(action="DO NOTHING").returning(table.id)
    return bool(inserted)


async def _match_window(purpose: str) -> int | None:
    """The window a purpose names by code or name, so the office can filter by window."""
    if not purpose:
        return None
    code = purpose.split(" ", 1)[0]
    row = (
        await Window.select(Window.id)
        .where((Window.code == code) | (Window.name == purpose))
        .first()
    )
    return row["id"] if row else None


CREATE_FIELDS = (
    "name",
    "phone",
    "id_number",
    "purpose",
    "temperature",
    "symptoms",
    "symptoms_other",
    "travel_or_contact",
)


def validate_visitor(form: dict, policy: Policy) -> dict:
    """The visitor-check fields, cleaned; raises Invalid listing every bad field at once."""
    fields = clean_fields(form, CREATE_FIELDS, policy)
    count_typed_symptom(fields)
    return fields


async def record_visitor_check(
    entry_id: uuid.UUID,
    form: dict,
    actor: Actor,
    policy: Policy,
    now: dt.datetime | None = None,
    clock_flag: str = "",
) -> Recorded:
    """Store a visitor's first reading (or return the one already stored under `entry_id`)."""
    fields = validate_visitor(form, policy)
    status = first_reading_status(
        fields["temperature"], fields["symptoms"], fields["travel_or_contact"], policy
    )
    row = VisitorCheck(
        id=entry_id,
        **{**fields, "symptoms": ",".join(fields["symptoms"])},
        window=await _match_window(fields["purpose"]),
        status=status,
        time_in=now or clock.now(),
        device=actor.device,
        recorded_by=actor.user_id,
        clock_flag=clock_flag,
    )
    async with write_transaction():
        if not await _insert_new(VisitorCheck, row):
            return Recorded(await visitor_check(entry_id), created=False)
        stored = await visitor_check(entry_id)
        await _written("create", "visitor_check", entry_id, actor, None, stored)
    return Recorded(stored, created=True)


async def _remeasure(
    table, load, check_id: uuid.UUID, text: str, actor: Actor, policy: Policy
) -> Recorded:
    """Keep the second reading of a check awaiting it; a check already re-measured is
    returned as it is."""
    value = parse_temperature(text, policy)
    async with write_transaction():
        before = await load(check_id)
        if before is None:
            raise LookupError(check_id)
        if before["status"] != CheckStatus.remeasure:
            return Recorded(before, created=False)
        await table.update(
            {
                table.remeasure_temperature: value,
                table.status: remeasure_status(value, policy),
                table.version: table.version + 1,
            }
        ).where(table.id == check_id)
        after = await load(check_id)
        await _written("remeasure", table._meta.tablename, check_id, actor, before, after)
    return Recorded(after, created=True)


async def remeasure_visitor(
    check_id: uuid.UUID, text: str, actor: Actor, policy: Policy
) -> Recorded:
    return await _remeasure(VisitorCheck, visitor_check, check_id, text, actor, policy)


async def remeasure_staff(check_id: uuid.UUID, text: str, actor: Actor, policy: Policy) -> Recorded:
    return await _remeasure(StaffCheck, staff_check, check_id, text, actor, policy)


async def record_time_out(
    check_id: uuid.UUID, actor: Actor, now: dt.datetime | None = None
) -> Recorded:
    """Note when a visitor left; the first time out stands, a repeat changes nothing."""
    async with write_transaction():
        before = await visitor_check(check_id)
        if before is None:
            raise LookupError(check_id)
        if before["time_out"] is not None:
            return Recorded(before, created=False)
        await VisitorCheck.update(
            {
                VisitorCheck.time_out: now or clock.now(),
                VisitorCheck.version: VisitorCheck.version + 1,
            }
        ).where(VisitorCheck.id == check_id)
        after = await visitor_check(check_id)
        await _written("time_out", "visitor_check", check_id, actor, before, after)
    return Recorded(after, created=True)


def visitor_rows():
    return VisitorCheck.select(
        *VisitorCheck.all_columns(),
        VisitorCheck.window.code.as_alias("window_code"),
        VisitorCheck.recorded_by.username.as_alias("recorded_by_name"),
    )


async def visitor_check(check_id: uuid.UUID) -> dict | None:
    return await visitor_rows().where(VisitorCheck.id == check_id).first()


async def record_staff_check(
    entry_id: uuid.UUID,
    form: dict,
    actor: Actor,
    policy: Policy,
    now: dt.datetime | None = None,
    clock_flag: str = "",
) -> Recorded:
    """Store a staff member's arrival or leaving reading (上下班检测), idempotent on `entry_id`."""
    problems: list[Problem] = []
    person_id = str(form.get("person", "")).strip()
    person = None
    if person_id.isdigit():
        person = (
            await Person.select(Person.id)
            .where(
                (Person.id == int(person_id)) & (Person.active == True)  # noqa: E712
            )
            .first()
        )
    if person is None:
        problems.append(Problem("person", N_("Pick the staff member from the roster")))
    direction = form.get("direction", "")
    if direction not in {d.value for d in Direction}:
        problems.append(Problem("direction", N_("Choose arrival or leaving")))
    temperature = None
    try:
        temperature = parse_temperature(form.get("temperature", ""), policy)
    except Invalid as bad:
        problems.extend(bad.problems)
    if problems:
        raise Invalid(problems)
    status = first_reading_status(temperature, [], False, policy)
    async with write_transaction():
        inserted = await _insert_new(
            StaffCheck,
            StaffCheck(
                id=entry_id,
                person=int(person_id),
                direction=direction,
                temperature=temperature,
                status=status,
                taken_at=now or clock.now(),
                device=actor.device,
                recorded_by=actor.user_id,
                clock_flag=clock_flag,
            ),
        )
        if not inserted:
            return Recorded(await staff_check(entry_id), created=False)
        stored = await staff_check(entry_id)
        await _written("create", "staff_check", entry_id, actor, None, stored)
    return Recorded(stored, created=True)


def _staff_rows():
    return StaffCheck.select(
        *StaffCheck.all_columns(),
        StaffCheck.person.name.as_alias("person_name"),
        StaffCheck.person.department.name.as_alias("department_name"),
        StaffCheck.recorded_by.username.as_alias("recorded_by_name"),
    )


async def staff_check(check_id: uuid.UUID) -> dict | None:
    return await _staff_rows().where(StaffCheck.id == check_id).first()


async def desk_today(user_id: int, day: dt.date) -> list[dict]:
    """Today's entries of this desk, both kinds, newest first, tagged with their kind."""
    start, end = clock.day_bounds(day)
    visitors = await VisitorCheck.select(
        VisitorCheck.id,
        VisitorCheck.name,
        VisitorCheck.phone,
        VisitorCheck.temperature,
        VisitorCheck.remeasure_temperature,
        VisitorCheck.status,
        VisitorCheck.time_out,
        VisitorCheck.time_in.as_alias("at"),
    ).where(
        (VisitorCheck.recorded_by == user_id)
        & (VisitorCheck.time_in >= start)
        & (VisitorCheck.time_in < end)
    )
    staff = await StaffCheck.select(
        StaffCheck.id,
        StaffCheck.person.name.as_alias("name"),
        StaffCheck.direction,
        StaffCheck.temperature,
        StaffCheck.remeasure_temperature,
        StaffCheck.status,
        StaffCheck.taken_at.as_alias("at"),
    ).where(
        (StaffCheck.recorded_by == user_id)
        & (StaffCheck.taken_at >= start)
        & (StaffCheck.taken_at < end)
    )
    entries = [{**v, "kind": "visitor"} for v in visitors] + [{**s, "kind": "staff"} for s in staff]
    return sorted(entries, key=lambda e: e["at"], reverse=True)


async def device_today(device: str, day: dt.date) -> list[tuple[str, dict]]:
    """Today's checks made on one device, as (entity, row), for its first pull."""
    start, end = clock.day_bounds(day)
    visitors = await visitor_rows().where(
        (VisitorCheck.device == device)
        & (VisitorCheck.time_in >= start)
        & (VisitorCheck.time_in < end)
    )
    staff = await _staff_rows().where(
        (StaffCheck.device == device) & (StaffCheck.taken_at >= start) & (StaffCheck.taken_at < end)
    )
    return [("visitor_check", v) for v in visitors] + [("staff_check", s) for s in staff]
