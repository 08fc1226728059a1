"""A close contact's follow-up with a fever or symptoms (plan 三(二)2: 发现出现发热等症状人员 …
立即向区防疫部门联系): the contact is now a case of their own. Like a hold at the desk it
raises an incident at once, in the follow-up's transaction: the office and the leaders (and a
member of staff's head) are told, and the district must hear within the deadline; a member of
staff on duty is sent home. While that incident is open (or transferred) a later abnormal
follow-up of the same contact is flagged but raises no second one; once it was cleared or
closed, a new fever is a new case."""

from __future__ import annotations

import uuid

from server import clock
from server.audit.service import Actor
from server.checks.rules import is_abnormal
from server.declarations import status
from server.incidents.contact_status import person_of
from server.incidents.service import raise_incident
from server.incidents.tables import ContactFollowUp, Incident, IncidentStatus
from server.org.service import department_of
from server.policy.service import Policy

SOURCE = "contact_follow_up"
# What the office types in the symptoms field when there are none.
NO_SYMPTOMS = {"", "无", "没有", "无症状", "否", "none", "no", "-", "—", "/"}


def has_symptoms(text: str) -> bool:
    return text.strip().lower() not in NO_SYMPTOMS


def abnormal(temperature: float | None, symptoms: str, policy: Policy) -> bool:
    """A fever by the policy's threshold, or symptoms."""
    fever = temperature is not None and is_abnormal(temperature, policy)
    return fever or has_symptoms(symptoms)


def readings(follow_up: dict) -> str:
    """What the follow-up found, as the incident's summary: 38.2 °C · 咳嗽."""
    parts = [] if follow_up["temperature"] is None else [f"{follow_up['temperature']:.1f} °C"]
    if has_symptoms(follow_up["symptoms"]):
        parts.append(follow_up["symptoms"].strip())
    return " · ".join(parts)


async def _case_open(contact_id: uuid.UUID) -> bool:
    """Whether an earlier follow-up of the contact raised an incident still being handled."""
    earlier = await ContactFollowUp.select(ContactFollowUp.id).where(
        ContactFollowUp.contact == contact_id
    )
    return await Incident.exists().where(
        Incident.source_id.is_in([str(f["id"]) for f in earlier])
        & Incident.status.is_in([IncidentStatus.open, IncidentStatus.transferred])
    )


async def escalate(contact: dict, follow_up: dict, actor: Actor) -> None:
    """Raise the incident of an abnormal follow-up (see above), inside the caller's write
    transaction, which has already stored `follow_up`."""
    if await _case_open(contact["id"]):
        return
    person_id = person_of(contact)
    parent = await Incident.select().where(Incident.id == contact["incident"]).first()
    summary = readings(follow_up)
    await raise_incident(
        SOURCE,
        str(follow_up["id"]),
        contact["name"],
        parent["place"],
        summary,
        clock.now(),
        actor,
        reason=SOURCE,
        department=await department_of(person_id),
    )
    if person_id is not None:
        await status.send_home(person_id, SOURCE, actor, ref=str(follow_up["id"]), note=summary)


def flagged(contacts: list[dict], raised: dict[str, uuid.UUID]) -> list[dict]:
    """The contacts' abnormal follow-ups as entries of the incident's timeline, each with the
    incident it raised (`raised`: follow-up id → incident id), if any."""
    return [
        {
            "kind": "contact_abnormal",
            "at": f["at"],
            "by": f["by"],
            "details": {"contact": c["name"], "readings": readings(f)},
            "raised": raised.get(str(f["id"])),
        }
        for c in contacts
        for f in c["follow_ups"]
        if f["abnormal"]
    ]


async def raised_by(contacts: list[dict]) -> dict[str, uuid.UUID]:
    """Follow-up id → the incident it raised, for the contacts' abnormal follow-ups."""
    ids = [str(f["id"]) for c in contacts for f in c["follow_ups"] if f["abnormal"]]
    if not ids:
        return {}
    rows = await Incident.select(Incident.id, Incident.source_id).where(
        Incident.source_id.is_in(ids)
    )
    return {r["source_id"]: r["id"] for r in rows}


async def origin(incident: dict) -> dict | None:
    """The incident whose close contact this one's follow-up found abnormal, if it is one."""
    if incident["source"] != SOURCE:
        return None
    follow_up = (
        await ContactFollowUp.select(ContactFollowUp.contact.incident.as_alias("incident"))
        .where(ContactFollowUp.id == uuid.UUID(incident["source_id"]))
        .first()
    )
    if follow_up is None:
        return None
    return (
        await Incident.select(Incident.id, Incident.subject)
        .where(Incident.id == follow_up["incident"])
        .first()
    )
