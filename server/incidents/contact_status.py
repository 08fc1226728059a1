"""A member of staff confirmed as a close contact under isolation (plan 三(二)2: 密切接触者
…隔离) stays home, awaiting notice, as one held at the desk does (SPEC rules 4 and 6), until
the office ends the isolation or clears them. A visitor's isolation changes no work status,
nor does observation; an isolation ended by its end date leaves the person at home until the
office clears them, as only the office brings someone back (可返岗)."""

from __future__ import annotations

from server import clock
from server.audit.service import Actor
from server.declarations import alerts, status
from server.declarations.access import person_row
from server.declarations.tables import WorkState
from server.incidents.tables import CloseContact, ContactKind, Measure

CAUSE = "close_contact"


def person_of(contact: dict) -> int | None:
    """The roster person a staff contact is, None for a visitor."""
    if contact["kind"] == ContactKind.staff and contact["ref"].isdigit():
        return int(contact["ref"])
    return None


def incident_name(incident: dict) -> str:
    """The incident as the status history names it: whose case, and the day it was detected."""
    return f"{incident['subject']} · {clock.local(incident['detected_at']):%Y-%m-%d}"


async def isolate(contact: dict, incident: dict, actor: Actor) -> None:
    """Send a staff contact whose isolation runs home, inside the caller's write transaction.
    The office decided it; their department head is told at once."""
    person_id = person_of(contact)
    if person_id is None:
        return
    note = incident_name(incident)
    change = await status.send_home(person_id, CAUSE, actor, ref=str(contact["id"]), note=note)
    if change is not None and (person := await person_row(person_id)):
        await alerts.notify("stay_home", person, change["id"], {}, office=False)


async def end_isolation(contact: dict, incident: dict, actor: Actor) -> None:
    """The office ended the contact's isolation (released, or back to observation): the person
    returns to work if an isolation sent them home, nothing has changed their status since,
    and no other isolation of theirs still runs."""
    person_id = person_of(contact)
    if person_id is None:
        return
    if (await status.state_of(person_id))["state"] != WorkState.stay_home:
        return
    latest = await status.history(person_id)
    if not latest or latest[0]["cause"] != CAUSE:
        return
    today = clock.today()
    others = await CloseContact.select().where(
        (CloseContact.kind == ContactKind.staff)
        & (CloseContact.ref == contact["ref"])
        & (CloseContact.id != contact["id"])
        & (CloseContact.measure == Measure.isolation)
        & CloseContact.released_on.is_null()
        & (CloseContact.end_on > today)
    )
    if not others:
        await status.clear_to_work(person_id, incident_name(incident), actor)
