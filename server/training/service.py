"""Training (人员技术培训, 一(二)3): sessions, their attendees from the roster, and each
person's training record. Writes are idempotent and audited in their own transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from piccolo.query.functions.aggregate import Count

from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem
from server.db import write_transaction
from server.i18n import N_
from server.org.tables import Person
from server.training.tables import TrainingAttendance, TrainingSession

FIELDS = {"topic": 100, "trainer": 50, "place": 100, "notes": 500}


@dataclass(frozen=True)
class Recorded:
    row: dict
    created: bool


def clean_session(form: dict) -> dict:
    """Topic, day, trainer and the optional place and notes; raises Invalid naming every bad
    field. A day still to come is fine: sessions are planned ahead."""
    values = {name: str(form.get(name) or "").strip()[:length] for name, length in FIELDS.items()}
    problems = []
    if not values["topic"]:
        problems.append(Problem("topic", N_("Give the topic")))
    if not values["trainer"]:
        problems.append(Problem("trainer", N_("Name the trainer")))
    try:
        values["held_on"] = dt.date.fromisoformat(str(form.get("held_on") or "").strip())
    except ValueError:
        problems.append(Problem("held_on", N_("Enter the date as YYYY-MM-DD")))
    if problems:
        raise Invalid(problems)
    return values


def attendance_key(session_id, person_id: int) -> str:
    return f"{session_id}|{person_id}"


async def _roster_ids(person_ids) -> set[int]:
    """The ids that name someone on the roster; anything else a form sent is dropped."""
    wanted = {int(p) for p in person_ids if str(p).isdigit()}
    if not wanted:
        return set()
    rows = await Person.select(Person.id).where(Person.id.is_in(list(wanted)))
    return {r["id"] for r in rows}


async def session(session_id: uuid.UUID) -> dict | None:
    return await TrainingSession.select().where(TrainingSession.id == session_id).first()


async def attendee_ids(session_id: uuid.UUID) -> set[int]:
    rows = await TrainingAttendance.select(TrainingAttendance.person).where(
        TrainingAttendance.session == session_id
    )
    return {r["person"] for r in rows}


async def _add(session_id: uuid.UUID, person_ids: set[int]) -> None:
    if person_ids:
        await TrainingAttendance.insert(
            *[
                TrainingAttendance(key=attendance_key(session_id, p), session=session_id, person=p)
                for p in sorted(person_ids)
            ]
        ).on_conflict(action="DO NOTHING")


async def create_session(entry_id: uuid.UUID, form: dict, person_ids, actor: Actor) -> Recorded:
    """A session with its attendees (or the one already stored under `entry_id`)."""
    fields = clean_session(form)
    attendees = await _roster_ids(person_ids)
    async with write_transaction():
        if stored := await session(entry_id):
            return Recorded(stored, created=False)
        await TrainingSession.insert(
            TrainingSession(id=entry_id, created_by=actor.user_id, **fields)
        )
        await _add(entry_id, attendees)
        stored = await session(entry_id)
        after = {**stored, "attendees": sorted(attendees)}
        await audit.record(actor, "create", "training_session", entry_id, None, after)
    return Recorded(stored, created=True)


async def set_attendees(session_id: uuid.UUID, person_ids, actor: Actor) -> bool:
    """Make the attendee list exactly `person_ids` (the ticked boxes); True when it changed.
    Sending the same list again changes nothing."""
    wanted = await _roster_ids(person_ids)
    async with write_transaction():
        if await session(session_id) is None:
            raise LookupError(session_id)
        before = await attendee_ids(session_id)
        if before == wanted:
            return False
        await _add(session_id, wanted - before)
        gone = [attendance_key(session_id, p) for p in before - wanted]
        if gone:
            await TrainingAttendance.delete().where(TrainingAttendance.key.is_in(gone))
        await audit.record(
            actor,
            "attendees",
            "training_session",
            session_id,
            {"attendees": sorted(before)},
            {"attendees": sorted(wanted)},
        )
    return True


async def sessions() -> list[dict]:
    """Every session, latest day first, with how many attended."""
    counts = {
        r["session"]: r["n"]
        for r in await TrainingAttendance.select(
            TrainingAttendance.session, Count().as_alias("n")
        ).group_by(TrainingAttendance.session)
    }
    rows = await TrainingSession.select().order_by(TrainingSession.held_on, ascending=False)
    return [{**r, "attendee_count": counts.get(r["id"], 0)} for r in rows]


async def attendees(session_id: uuid.UUID) -> list[dict]:
    return (
        await TrainingAttendance.select(
            TrainingAttendance.person.id.as_alias("id"),
            TrainingAttendance.person.name.as_alias("name"),
            TrainingAttendance.person.department.name.as_alias("department_name"),
        )
        .where(TrainingAttendance.session == session_id)
        .order_by(TrainingAttendance.person.department.position)
        .order_by(TrainingAttendance.person.name)
    )


async def person(person_id: int) -> dict | None:
    return (
        await Person.select(
            Person.id, Person.name, Person.department.name.as_alias("department_name")
        )
        .where(Person.id == person_id)
        .first()
    )


async def person_records(person_id: int | None) -> list[dict]:
    """The sessions one person attended, latest first: their training record."""
    if person_id is None:
        return []
    return (
        await TrainingAttendance.select(
            TrainingAttendance.session.id.as_alias("id"),
            TrainingAttendance.session.topic.as_alias("topic"),
            TrainingAttendance.session.held_on.as_alias("held_on"),
            TrainingAttendance.session.trainer.as_alias("trainer"),
            TrainingAttendance.session.place.as_alias("place"),
        )
        .where(TrainingAttendance.person == person_id)
        .order_by(TrainingAttendance.session.held_on, ascending=False)
    )
