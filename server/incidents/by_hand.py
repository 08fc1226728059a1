"""A close contact the office adds by hand: a member of staff picked from the roster, or a
visitor by name and mobile. An incident raised by hand has no suggestions, and the records
never know everyone the case met."""

from __future__ import annotations

import datetime as dt
import uuid

from server.audit.service import Actor
from server.checks.rules import Invalid, Problem, clean_fields
from server.i18n import N_
from server.incidents.contacts import Recorded, store, terms
from server.incidents.tables import CloseContact, ContactKind
from server.org.tables import Person
from server.policy.service import load_policy


async def _staff(form: dict) -> dict:
    ref = str(form.get("person", "")).strip()
    person = None
    if ref.isdigit():
        person = (
            await Person.select(Person.name, Person.phone)
            .where((Person.id == int(ref)) & (Person.active == True))  # noqa: E712
            .first()
        )
    if person is None:
        raise Invalid([Problem("person", N_("Choose a member of staff from the roster"))])
    return {"kind": ContactKind.staff.value, "ref": str(int(ref)), **person}


async def _visitor(form: dict, incident_id: uuid.UUID) -> dict:
    """A visitor has no record to point at: the same name and mobile make the same contact,
    so a form sent twice keeps one."""
    fields = clean_fields(form, ("name", "phone"), await load_policy())
    ref = str(uuid.uuid5(incident_id, f"{fields['name']}|{fields['phone']}"))
    return {"kind": ContactKind.visitor.value, "ref": ref, **fields}


async def add(incident_id: uuid.UUID, form: dict, actor: Actor, today: dt.date) -> Recorded:
    """Add the contact the form names (kind staff with `person`, or visitor with `name` and
    `phone`) under the form's measure, once however often it is sent; a visitor already
    confirmed from the suggestions under the same name and mobile is not added again."""
    measure, start, problems = terms(form, today)
    contact = None
    try:
        if form.get("kind") == ContactKind.staff:
            contact = await _staff(form)
        elif form.get("kind") == ContactKind.visitor:
            contact = await _visitor(form, incident_id)
        else:
            problems.insert(0, Problem("kind", N_("Choose a member of staff or a visitor")))
    except Invalid as bad:
        problems[:0] = bad.problems
    if problems:
        raise Invalid(problems)
    same = None
    if contact["kind"] == ContactKind.visitor:
        same = (
            (CloseContact.incident == incident_id)
            & (CloseContact.kind == ContactKind.visitor)
            & (CloseContact.name == contact["name"])
            & (CloseContact.phone == contact["phone"])
        )
    return await store(incident_id, contact, "manual", measure, start, actor, today, same)
