"""Sick absence (因病缺勤登记追查, SPEC rule 5): registered by the department head or the
person, followed up until the office clears the return (status.clear_to_work). Idempotent on
the entry id; every write audited."""

from __future__ import annotations

import datetime as dt
import uuid

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem, half_width, parse_temperature
from server.db import write_transaction
from server.declarations import alerts, status
from server.declarations.access import person_row
from server.declarations.rules import days_absent
from server.declarations.tables import FollowUp, SickAbsence, WorkState
from server.i18n import N_
from server.policy.service import Policy

LONGEST_BACKDATE = dt.timedelta(days=60)


def _since(value, today: dt.date) -> dt.date:
    try:
        since = dt.date.fromisoformat(half_width(value))
    except ValueError:
        raise Invalid([Problem("since", N_("Enter the first day of absence"))]) from None
    if since > today or since < today - LONGEST_BACKDATE:
        raise Invalid([Problem("since", N_("The first day must be within the last 60 days"))])
    return since


def clean_absence(form: dict, today: dt.date) -> dict:
    """The registration's fields, cleaned; raises Invalid naming every bad one."""
    fields, problems = {}, []
    try:
        fields["since"] = _since(form.get("since"), today)
    except Invalid as bad:
        problems.extend(bad.problems)
    fields["symptoms"] = str(form.get("symptoms") or "").strip()[:200]
    if not fields["symptoms"]:
        problems.append(Problem("symptoms", N_("Describe the symptoms")))
    saw = form.get("saw_doctor")
    if saw not in ("yes", "no", True, False):
        problems.append(Problem("saw_doctor", N_("Answer yes or no")))
    fields["saw_doctor"] = saw in ("yes", True)
    fields["diagnosis"] = str(form.get("diagnosis") or "").strip()[:200]
    if problems:
        raise Invalid(problems)
    return fields


async def register_absence(
    person_id: int,
    form: dict,
    actor: Actor,
    *,
    entry_id: uuid.UUID,
    notify_head: bool = True,
    now: dt.datetime | None = None,
) -> dict:
    """Register the person as absent sick (one open absence at a time) and alert the office
    (and the head, unless the head registered it). Returns the absence."""
    now = now or clock.now()
    fields = clean_absence(form, clock.local(now).date())
    person = await person_row(person_id)
    if person is None:
        raise LookupError(person_id)
    async with write_transaction():
        if stored := await absence(entry_id):
            return stored
        if current := await open_absence(person_id):
            message = N_("Already registered as absent since %(since)s")
            raise Invalid([Problem("since", message, {"since": current["since"].isoformat()})])
        row = SickAbsence(
            id=entry_id,
            person=person_id,
            registered_by=actor.username,
            registered_at=now,
            **fields,
        )
        await SickAbsence.insert(row)
        stored = await absence(entry_id)
        await audit.record(actor, "create", "sick_absence", entry_id, None, stored)
        change = await status.change_state(
            person_id, WorkState.sick_absent, "sick_absence", actor, ref=str(entry_id), now=now
        )
        if change is not None:  # None: already absent sick, and told so then
            since = {"since": fields["since"].isoformat()}
            await alerts.notify("sick_absence", person, change["id"], since, head=notify_head)
    return stored


async def add_follow_up(
    absence_id: uuid.UUID,
    form: dict,
    actor: Actor,
    policy: Policy,
    *,
    entry_id: uuid.UUID,
    now: dt.datetime | None = None,
) -> dict:
    """Add a follow-up (追查) to an open absence; a resubmission adds nothing."""
    problems = []
    note = str(form.get("note") or "").strip()[:300]
    if not note:
        problems.append(Problem("note", N_("Write how the person is")))
    temperature = None
    if str(form.get("temperature") or "").strip():
        try:
            temperature = parse_temperature(form["temperature"], policy)
        except Invalid as bad:
            problems.extend(bad.problems)
    if problems:
        raise Invalid(problems)
    async with write_transaction():
        current = await absence(absence_id)
        if current is None:
            raise LookupError(absence_id)
        if await FollowUp.exists().where(FollowUp.id == entry_id):
            return current
        if current["returned_on"] is not None:
            raise Invalid([Problem("note", N_("This absence is closed: the person has returned"))])
        row = {
            "id": entry_id,
            "absence": absence_id,
            "at": now or clock.now(),
            "by": actor.username,
        }
        await FollowUp.insert(FollowUp(**row, temperature=temperature, note=note))
        after = {**row, "temperature": temperature, "note": note}
        await audit.record(actor, "follow_up", "sick_absence", absence_id, None, after)
    return current


def _rows():
    return SickAbsence.select(
        *SickAbsence.all_columns(),
        SickAbsence.person.name.as_alias("person_name"),
        SickAbsence.person.department.as_alias("department"),
        SickAbsence.person.department.name.as_alias("department_name"),
    )


async def absence(absence_id: uuid.UUID) -> dict | None:
    return await _rows().where(SickAbsence.id == absence_id).first()


async def open_absence(person_id: int) -> dict | None:
    return (
        await _rows()
        .where((SickAbsence.person == person_id) & SickAbsence.returned_on.is_null())
        .first()
    )


async def _with_follow_ups(rows: list[dict], today: dt.date) -> list[dict]:
    """Each absence with its follow-ups (newest first), the last one and its days so far."""
    ids = [r["id"] for r in rows]
    follow_ups: dict = {}
    if ids:
        for f in (
            await FollowUp.select()
            .where(FollowUp.absence.is_in(ids))
            .order_by(FollowUp.at, ascending=False)
        ):
            follow_ups.setdefault(f["absence"], []).append(f)
    for row in rows:
        end = row["returned_on"] or today
        row["days"] = days_absent(row["since"], end)
        row["follow_ups"] = follow_ups.get(row["id"], [])
        row["last_follow_up"] = row["follow_ups"][0] if row["follow_ups"] else None
    return rows


async def current(person_id: int) -> dict | None:
    """The person's open absence with its follow-ups, if any."""
    rows = await _rows().where(
        (SickAbsence.person == person_id) & SickAbsence.returned_on.is_null()
    )
    return (await _with_follow_ups(rows, clock.today()))[0] if rows else None


async def open_absences(department_id: int | None = None) -> list[dict]:
    """Open sick absences, oldest first, with days absent and the last follow-up; only one
    department's when given."""
    where = SickAbsence.returned_on.is_null()
    if department_id is not None:
        where &= SickAbsence.person.department == department_id
    rows = (
        await _rows().where(where).order_by(SickAbsence.since).order_by(SickAbsence.registered_at)
    )
    return await _with_follow_ups(rows, clock.today())


async def absences_of(person_id: int) -> list[dict]:
    """The person's sick absences, newest first, with their follow-ups."""
    rows = (
        await _rows()
        .where(SickAbsence.person == person_id)
        .order_by(SickAbsence.since, ascending=False)
    )
    return await _with_follow_ups(rows, clock.today())
