"""Following a close contact: daily entries, a change of measure, an early release."""

from __future__ import annotations

import datetime as dt
import uuid

from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem, parse_temperature
from server.db import write_transaction
from server.i18n import N_
from server.incidents import contact_status, escalation
from server.incidents.contacts import Recorded, contact_state
from server.incidents.tables import CloseContact, ContactFollowUp, Incident, Measure
from server.policy.service import load_policy

RUNNING = (Measure.observation, Measure.isolation)


async def _contact(contact_id: uuid.UUID) -> dict:
    row = await CloseContact.select().where(CloseContact.id == contact_id).first()
    if row is None:
        raise LookupError(contact_id)
    return row


async def add_follow_up(
    entry_id: uuid.UUID, contact_id: uuid.UUID, form: dict, actor: Actor, today: dt.date
) -> Recorded:
    """One day's follow-up (每日随访) of a running contact; a replayed form stores nothing. A
    fever or symptoms flag it abnormal and escalate (server/incidents/escalation)."""
    problems = []
    temperature = None
    policy = await load_policy()
    if str(form.get("temperature", "")).strip():
        try:
            temperature = parse_temperature(form["temperature"], policy)
        except Invalid as bad:
            problems.extend(bad.problems)
    note = str(form.get("note", "")).strip()[:200]
    symptoms = str(form.get("symptoms", "")).strip()[:100]
    if temperature is None and not note and not symptoms:
        problems.append(Problem("note", N_("Enter a temperature, symptoms or a note")))
    if problems:
        raise Invalid(problems)
    flag = escalation.abnormal(temperature, symptoms, policy)
    async with write_transaction():
        stored = await ContactFollowUp.select().where(ContactFollowUp.id == entry_id).first()
        if stored:
            return Recorded(stored, created=False)
        contact = await _contact(contact_id)
        if contact_state(contact, today) not in RUNNING:
            raise Invalid([Problem("note", N_("This contact's observation has ended"))])
        row = {"id": entry_id, "contact": contact_id, "day": today, "temperature": temperature}
        row |= {"symptoms": symptoms, "note": note, "abnormal": flag}
        await ContactFollowUp.insert(ContactFollowUp(**row, by=actor.username))
        await audit.record(actor, "follow_up", "close_contact", contact_id, None, row)
        if flag:
            await escalation.escalate(contact, row, actor)
    return Recorded(row, created=True)


async def update_contact(contact_id: uuid.UUID, form: dict, actor: Actor, today: dt.date) -> dict:
    """Switch between observation and isolation, or release the contact today. Sending the
    same change again changes nothing."""
    action = form.get("action")
    async with write_transaction():
        before = await _contact(contact_id)
        if contact_state(before, today) not in RUNNING:
            raise Invalid([Problem("action", N_("This contact's observation has ended"))])
        if action == "release":
            change = {CloseContact.released_on: today}
        elif action in (Measure.observation, Measure.isolation):
            change = {CloseContact.measure: action}
        else:
            raise Invalid([Problem("action", N_("Choose observation, isolation or release"))])
        await CloseContact.update(change).where(CloseContact.id == contact_id)
        after = await _contact(contact_id)
        if after != before:
            await audit.record(actor, "update", "close_contact", contact_id, before, after)
            incident = await Incident.select().where(Incident.id == after["incident"]).first()
            if contact_state(after, today) == Measure.isolation:
                await contact_status.isolate(after, incident, actor)
            elif before["measure"] == Measure.isolation:
                await contact_status.end_isolation(after, incident, actor)
    return after
