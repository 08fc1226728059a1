"""Close contacts (密切接触者) of an incident: suggested from the records, confirmed by the
office, kept under observation or isolation and followed daily until their end date.

Suggestions are only suggestions; a contact exists once the office confirms it, and
confirming the same suggestion twice keeps one contact (its key is unique). A contact's state
comes from the clock: observation ends on its end date without a last follow-up (the trap of
SORMAS #3791, where a contact stayed "under follow-up" until someone visited)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem
from server.checks.tables import StaffCheck, VisitorCheck
from server.db import write_transaction
from server.declarations.tables import Declaration
from server.duty.service import on_duty_at
from server.duty.tables import Post
from server.i18n import N_
from server.incidents import contact_status
from server.incidents.tables import CloseContact, ContactFollowUp, ContactKind, Incident, Measure
from server.org.tables import Person, Window
from server.policy.service import Policy, load_policy

REASONS = ("same_window", "same_group", "same_purpose", "on_duty", "same_department", "manual")


@dataclass(frozen=True)
class Suggestion:
    kind: str
    ref: str
    name: str
    phone: str
    reason: str
    at: dt.datetime | None = None
    where: str = ""


@dataclass(frozen=True)
class Recorded:
    row: dict
    created: bool


def within(moment: dt.datetime, center: dt.datetime, minutes: int) -> bool:
    """Inside the contact window: at most `minutes` before or after the case, both ends in."""
    return abs(moment - center) <= dt.timedelta(minutes=minutes)


def end_date(start: dt.date, policy: Policy) -> dt.date:
    """Observation starts on `start` and has ended on this day (default 14 days later)."""
    return start + dt.timedelta(days=policy.contact_observation_days)


def contact_state(contact: dict, today: dt.date) -> str:
    """observation / isolation while it runs; released (ended early by the office) or ended
    (its end date reached) afterwards. No follow-up is needed for it to end."""
    if contact["released_on"] is not None and contact["released_on"] <= today:
        return "released"
    if today >= contact["end_on"]:
        return "ended"
    return contact["measure"]


async def _case(incident: dict) -> tuple[str, dict] | None:
    """("visitor", check) or ("staff", person) the incident is about, if still on record."""
    source, ref = incident["source"], incident["source_id"]
    if not ref:
        return None
    if source == "visitor_check":
        check = await VisitorCheck.select().where(VisitorCheck.id == ref).first()
        return ("visitor", check) if check else None
    if source == "staff_check":
        row = await StaffCheck.select(StaffCheck.person).where(StaffCheck.id == ref).first()
    elif source == "declaration":
        row = await Declaration.select(Declaration.person).where(Declaration.id == ref).first()
    else:
        return None
    if row is None:
        return None
    person = await Person.select().where(Person.id == row["person"]).first()
    return ("staff", person) if person else None


async def _visitors_near(check: dict, policy: Policy) -> list[Suggestion]:
    """Visitors at the same window or service group (or, with no window, the same purpose)
    within ±`contact_window_minutes` of the case's check."""
    span = dt.timedelta(minutes=policy.contact_window_minutes)
    center = check["time_in"]
    where = (
        (VisitorCheck.time_in >= center - span)
        & (VisitorCheck.time_in <= center + span)
        & (VisitorCheck.id != check["id"])
    )
    group: dict[int, str] = {}
    if check["window"] is not None:
        window = await Window.select().where(Window.id == check["window"]).first()
        same = Window.id == window["id"]
        if window["department"] is not None:
            same = Window.department == window["department"]
        group = {
            w["id"]: w["code"] for w in await Window.select(Window.id, Window.code).where(same)
        }
        where &= VisitorCheck.window.is_in(list(group))
    elif check["purpose"]:
        where &= VisitorCheck.purpose == check["purpose"]
    else:
        return []
    found = []
    for v in await VisitorCheck.select().where(where).order_by(VisitorCheck.time_in):
        if not within(v["time_in"], center, policy.contact_window_minutes):
            continue
        if check["window"] is None:
            reason = "same_purpose"
        else:
            reason = "same_window" if v["window"] == check["window"] else "same_group"
        where_seen = group.get(v["window"], v["purpose"])
        found.append(
            Suggestion(
                "visitor", str(v["id"]), v["name"], v["phone"], reason, v["time_in"], where_seen
            )
        )
    return found


async def _staff_on_duty(check: dict) -> list[Suggestion]:
    """Staff on duty at the case's window, and on the hall floor, when the case came in."""
    shifts = await on_duty_at(Post.hall, None, check["time_in"])
    if check["window"] is not None:
        shifts = await on_duty_at(Post.window, check["window"], check["time_in"]) + shifts
    people = {s["person"]: s for s in shifts}
    phones = await _phones(list(people))
    return [
        Suggestion("staff", str(pid), s["person_name"], phones.get(pid, ""), "on_duty", None,
                   s["window_code"] or s["post"])
        for pid, s in people.items()
    ]  # fmt: skip


async def _phones(person_ids: list[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    rows = await Person.select(Person.id, Person.phone).where(Person.id.is_in(person_ids))
    return {r["id"]: r["phone"] for r in rows}


async def _colleagues(person: dict) -> list[Suggestion]:
    """A staff case's department (the bureau's leaders, for a leader with none)."""
    same = (
        Person.department == person["department"]
        if person["department"] is not None
        else Person.department.is_null()
    )
    rows = await Person.select().where(same & (Person.id != person["id"]) & (Person.active == True))  # noqa: E712
    return [
        Suggestion("staff", str(p["id"]), p["name"], p["phone"], "same_department") for p in rows
    ]


async def suggestions(incident: dict) -> list[Suggestion]:
    """Who the records say may be a close contact, minus those already confirmed."""
    case = await _case(incident)
    if case is None:
        return []
    kind, record = case
    if kind == "visitor":
        found = await _visitors_near(record, await load_policy()) + await _staff_on_duty(record)
    else:
        found = await _colleagues(record)
    confirmed = {
        (c["kind"], c["ref"])
        for c in await CloseContact.select(CloseContact.kind, CloseContact.ref).where(
            CloseContact.incident == incident["id"]
        )
    }
    seen, unique = set(), []
    for s in found:
        if (s.kind, s.ref) not in confirmed and (s.kind, s.ref) not in seen:
            seen.add((s.kind, s.ref))
            unique.append(s)
    return unique


async def _who(kind: str, ref: str) -> dict | None:
    """Name and phone of a contact, read again from the record (never from the form)."""
    if kind == ContactKind.visitor:
        try:
            check_id = uuid.UUID(ref)
        except ValueError:
            return None
        return (
            await VisitorCheck.select(VisitorCheck.name, VisitorCheck.phone)
            .where(VisitorCheck.id == check_id)
            .first()
        )
    if kind == ContactKind.staff and ref.isdigit():
        return await Person.select(Person.name, Person.phone).where(Person.id == int(ref)).first()
    return None


def terms(form: dict, today: dt.date) -> tuple[str, dt.date, list[Problem]]:
    """The measure and the first day a form asks for (observation, today when left out), and
    what is wrong with them."""
    problems = []
    measure = str(form.get("measure") or Measure.observation.value)
    if measure not in {m.value for m in Measure}:
        problems.append(Problem("measure", N_("Choose observation or isolation")))
    try:
        start = dt.date.fromisoformat(form["start_on"]) if form.get("start_on") else today
    except ValueError:
        start = today
        problems.append(Problem("start_on", N_("Choose a day")))
    return measure, start, problems


async def confirm(incident_id: uuid.UUID, form: dict, actor: Actor, today: dt.date) -> Recorded:
    """Make a suggestion (or a roster person) a close contact of the incident, starting today
    (or the form's day) under observation or isolation; once, however often it is sent."""
    kind, ref = str(form.get("kind", "")), str(form.get("ref", "")).strip()
    measure, start, problems = terms(form, today)
    who = await _who(kind, ref)
    if who is None:
        problems.insert(
            0, Problem("ref", N_("Choose a suggested contact or a person on the roster"))
        )
    if problems:
        raise Invalid(problems)
    reason = form.get("reason") if form.get("reason") in REASONS else "manual"
    contact = {"kind": kind, "ref": ref, "name": who["name"], "phone": who["phone"]}
    return await store(incident_id, contact, reason, measure, start, actor, today)


async def store(
    incident_id: uuid.UUID,
    contact: dict,
    reason: str,
    measure: str,
    start: dt.date,
    actor: Actor,
    today: dt.date,
    same=None,
) -> Recorded:
    """Keep `contact` (kind, ref, name, phone) as a close contact of the incident, once: the
    one already kept under its key, or matching the condition `same`, is returned instead."""
    kind, ref = contact["kind"], contact["ref"]
    key = f"{incident_id}|{kind}|{ref}"
    kept = CloseContact.key == key
    async with write_transaction():
        if (
            stored := await CloseContact.select()
            .where(kept if same is None else kept | same)
            .first()
        ):
            return Recorded(stored, created=False)
        incident = await Incident.select().where(Incident.id == incident_id).first()
        if incident is None:
            raise LookupError(incident_id)
        row = {
            "id": uuid.uuid5(incident_id, f"{kind}|{ref}"),
            "key": key,
            "incident": incident_id,
            **contact,
            "reason": reason,
            "measure": measure,
            "start_on": start,
            "end_on": end_date(start, await load_policy()),
        }
        await CloseContact.insert(CloseContact(**row, confirmed_by=actor.username))
        await audit.record(actor, "confirm", "close_contact", row["id"], None, row)
        stored = await CloseContact.select().where(CloseContact.key == key).first()
        if contact_state(stored, today) == Measure.isolation:
            await contact_status.isolate(stored, incident, actor)
    return Recorded(stored, created=True)


async def contacts_of(incident_id: uuid.UUID, today: dt.date) -> list[dict]:
    """The incident's confirmed contacts with their state and follow-ups, oldest first."""
    contacts = (
        await CloseContact.select()
        .where(CloseContact.incident == incident_id)
        .order_by(CloseContact.confirmed_at)
    )
    follow_ups: dict = {}
    if contacts:
        for f in (
            await ContactFollowUp.select()
            .where(ContactFollowUp.contact.is_in([c["id"] for c in contacts]))
            .order_by(ContactFollowUp.day)
            .order_by(ContactFollowUp.at)
        ):
            follow_ups.setdefault(f["contact"], []).append(f)
    return [
        {**c, "state": contact_state(c, today), "follow_ups": follow_ups.get(c["id"], [])}
        for c in contacts
    ]


async def under_watch(today: dt.date) -> list[dict]:
    """Every contact still under observation or isolation today, for the zero report."""
    rows = await CloseContact.select().where(CloseContact.end_on > today)
    return [r for r in rows if contact_state(r, today) in (Measure.observation, Measure.isolation)]


async def contact(contact_id: uuid.UUID) -> dict | None:
    return await CloseContact.select().where(CloseContact.id == contact_id).first()
