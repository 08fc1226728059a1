"""Raising incidents and recording their steps; deadlines and overdue as pure functions."""

from __future__ import annotations

import datetime as dt
import uuid

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.db import write_transaction
from server.i18n import N_, listed, translate
from server.incidents.labels import FIELD_LABELS
from server.incidents.tables import Incident, IncidentStatus, IncidentStep, StepKind
from server.notify import notes
from server.notify import service as notify
from server.policy.service import Policy, load_policy

# What each step keeps; the office fills these in.
STEP_FIELDS = {
    StepKind.held: ("where",),
    StepKind.reported_office: ("reported_to",),
    StepKind.reported_district: ("reported_to", "called", "number", "reference"),
    StepKind.transferred: ("by_whom", "to_where"),
    StepKind.cleared: ("reason",),
    StepKind.closed: (),
    StepKind.note: ("text",),
}
REQUIRED = {
    StepKind.reported_district: ("called", "number"),
    StepKind.transferred: ("by_whom", "to_where"),
    StepKind.cleared: ("reason",),
    StepKind.note: ("text",),
}
# A step that ends the case moves it to this status; others leave it as it is.
STATUS_AFTER = {
    StepKind.transferred: IncidentStatus.transferred,
    StepKind.cleared: IncidentStatus.cleared,
    StepKind.closed: IncidentStatus.closed,
}


# The cases the district must hear of: a cleared one was no case, a closed one was dealt with.
AWAITING_REPORT = (IncidentStatus.open, IncidentStatus.transferred)


# How far past the server's clock a step's time may be (a slow office clock), no further.
CLOCK_SLACK = dt.timedelta(minutes=5)


class StepRefused(ValueError):
    """A refused step: a msgid and its values, and the fields it is about (named in the
    message as `%(fields)s`, translated where it is shown)."""

    def __init__(self, message: str, params: dict | None = None, fields: tuple = ()):
        super().__init__(message)
        self.message, self.params, self.fields = message, params or {}, fields

    def text(self, locale: str) -> str:
        named = listed(locale, [translate(locale, FIELD_LABELS[f]) for f in self.fields])
        return translate(locale, self.message, {**self.params, "fields": named})


def deadline(detected_at: dt.datetime, policy: Policy) -> dt.datetime:
    """When the district must have been told (plan: 第一时间; setting, default 2 hours)."""
    return detected_at + dt.timedelta(hours=policy.district_report_hours)


def is_overdue(incident: dict, steps: list[dict], now: dt.datetime) -> bool:
    """Open or transferred, not yet reported to the district, and its deadline has passed."""
    reported = any(s["kind"] == StepKind.reported_district for s in steps)
    return (
        not reported
        and incident["status"] in AWAITING_REPORT
        and now > incident["district_deadline"]
    )


def check_time(at: dt.datetime, detected_at: dt.datetime, now: dt.datetime) -> None:
    """Refuse a step dated before its incident was detected, or later than now: a report
    dated ahead would clear the overdue flag before anyone was told."""
    if at < detected_at:
        when = clock.local(detected_at).strftime("%Y-%m-%d %H:%M")
        message = N_("%(fields)s: before the incident was detected (%(time)s).")
        raise StepRefused(message, {"time": when}, fields=("at",))
    if at > now + CLOCK_SLACK:
        raise StepRefused(
            N_("%(fields)s: in the future. Record a step once it is done."), fields=("at",)
        )


def check_step(kind: StepKind, details: dict, status: str) -> None:
    """Refuse a step the case cannot take now, or one missing what it must say."""
    if status == IncidentStatus.closed:
        raise StepRefused(N_("This incident is closed."))
    if kind == StepKind.closed and status == IncidentStatus.open:
        raise StepRefused(N_("Record the transfer or the clearing before closing."))
    if kind in (StepKind.transferred, StepKind.cleared) and status != IncidentStatus.open:
        raise StepRefused(N_("This incident was already transferred or cleared."))
    missing = [f for f in REQUIRED.get(kind, ()) if not str(details.get(f, "")).strip()]
    if missing:
        raise StepRefused(N_("Fill in: %(fields)s"), fields=tuple(missing))
    # The form offers every step's fields: what was typed into another step's is not lost
    # without a word.
    others = [
        f
        for f in dict.fromkeys(f for fs in STEP_FIELDS.values() for f in fs)
        if f not in STEP_FIELDS[kind] and str(details.get(f, "")).strip()
    ]
    if others:
        message = N_("%(fields)s: not part of this step. Empty them, or choose their step.")
        raise StepRefused(message, fields=tuple(others))


async def raise_incident(
    source: str,
    source_id: str | None,
    subject: str,
    place: str,
    summary: str,
    detected_at: dt.datetime,
    actor: Actor,
    held: bool = False,
    reason: str = "",
    department: int | None = None,
) -> uuid.UUID:
    """Open an incident (once per source record) with its first steps; its id. The office
    and the leaders (and `department`'s head, for a staff member) are notified at once, in
    the same transaction."""
    policy = await load_policy()
    async with write_transaction():
        if source_id and (
            row := await Incident.select(Incident.id).where(Incident.source_id == source_id).first()
        ):
            return row["id"]
        incident_id = uuid.uuid4()
        incident = Incident(
            id=incident_id,
            source=source,
            source_id=source_id,
            subject=subject,
            place=place,
            summary=summary,
            detected_at=detected_at,
            district_deadline=deadline(detected_at, policy),
            created_by=actor.username,
        )
        await Incident.insert(incident)
        await _step(
            incident_id,
            StepKind.detected,
            {"summary": summary, "reason": reason},
            detected_at,
            actor,
        )
        if held:
            await _step(incident_id, StepKind.held, {"where": place}, detected_at, actor)
        await audit.record(
            actor,
            "create",
            "incident",
            incident_id,
            None,
            {"source": source, "subject": subject, "summary": summary},
        )
        note, audience = notes.incident_raised(incident.to_dict(), department)
        await notify.enqueue(f"incident_raised:{incident_id}", note, audience, urgent=True)
    return incident_id


async def _step(incident_id, kind: StepKind, details: dict, at: dt.datetime, actor: Actor) -> None:
    await IncidentStep.insert(
        IncidentStep(
            id=uuid.uuid4(),
            incident=incident_id,
            kind=kind,
            at=at,
            by=actor.username,
            details=details,
        )
    )


async def add_step(
    incident_id: uuid.UUID, kind: StepKind, details: dict, at: dt.datetime | None, actor: Actor
) -> None:
    """Record a step of the timeline at `at` (None: now), not before the detection nor in
    the future (raises StepRefused, LookupError)."""
    async with write_transaction():
        incident = await Incident.select().where(Incident.id == incident_id).first()
        if incident is None:
            raise LookupError(incident_id)
        check_step(kind, details, incident["status"])
        now = clock.now()
        at = at or now
        check_time(at, incident["detected_at"], now)
        fields = {f: str(details.get(f, "")).strip()[:200] for f in STEP_FIELDS[kind]}
        await _step(incident_id, kind, fields, at, actor)
        if kind in STATUS_AFTER:
            await Incident.update({Incident.status: STATUS_AFTER[kind]}).where(
                Incident.id == incident_id
            )
        await audit.record(actor, kind.value, "incident", incident_id, None, fields)


async def incident_with_steps(incident_id: uuid.UUID) -> tuple[dict, list[dict]] | None:
    incident = await Incident.select().where(Incident.id == incident_id).first()
    if incident is None:
        return None
    steps = (
        await IncidentStep.select()
        .where(IncidentStep.incident == incident_id)
        .order_by(IncidentStep.at)
        .order_by(IncidentStep.recorded_at)
        .output(load_json=True)
    )
    return incident, steps


async def incidents_board(now: dt.datetime) -> list[dict]:
    """Open incidents first (overdue ones flagged), then the rest, newest first."""
    incidents = await Incident.select().order_by(Incident.detected_at, ascending=False)
    reported = {
        r["incident"]
        for r in await IncidentStep.select(IncidentStep.incident).where(
            IncidentStep.kind == StepKind.reported_district
        )
    }
    for incident in incidents:
        steps = [{"kind": StepKind.reported_district}] if incident["id"] in reported else []
        incident["overdue"] = is_overdue(incident, steps, now)
    return sorted(incidents, key=lambda i: (i["status"] == IncidentStatus.closed, not i["overdue"]))
