"""The scheduled jobs: housekeeping (retention purge), the overdue-incident escalation, the
daily digest, the declaration reminders and the zero report's reminders and late and missed
notices (server/notify/zero_reports). Each is idempotent, so a run repeated after a
crash changes nothing twice."""

from __future__ import annotations

import datetime as dt

from server import clock, housekeeping
from server.accounts.tables import UserAccount
from server.declarations.rules import deadline_at
from server.declarations.tables import Declaration
from server.incidents.service import AWAITING_REPORT, is_overdue
from server.incidents.tables import Incident, IncidentStep, StepKind
from server.notify import config, notes
from server.notify.digest import send_digest
from server.notify.scheduler import Job, daily_at, every
from server.notify.service import enqueue
from server.notify.tables import NotificationEvent
from server.notify.zero_reports import JOB as ZERO_REPORTS
from server.notify.zero_reports import next_check, reminder_lead, watch_zero_reports
from server.policy.service import load_policy


async def escalate_overdue(now: dt.datetime) -> dict:
    """Tell the office and the leaders, once per incident, that the district was not told in
    time (the overdue rule of server/incidents)."""
    candidates = await Incident.select().where(
        Incident.status.is_in(list(AWAITING_REPORT)) & (Incident.district_deadline < now)
    )
    if not candidates:
        return {"escalated": 0}
    ids = [i["id"] for i in candidates]
    reported = {
        r["incident"]
        for r in await IncidentStep.select(IncidentStep.incident).where(
            IncidentStep.incident.is_in(ids) & (IncidentStep.kind == StepKind.reported_district)
        )
    }
    keys = {i["id"]: f"incident_overdue:{i['id']}" for i in candidates}
    done = {
        r["key"]
        for r in await NotificationEvent.select(NotificationEvent.key).where(
            NotificationEvent.key.is_in(list(keys.values()))
        )
    }
    escalated = 0
    for incident in candidates:
        steps = [{"kind": StepKind.reported_district}] if incident["id"] in reported else []
        if keys[incident["id"]] in done or not is_overdue(incident, steps, now):
            continue
        note, audience = notes.incident_overdue(incident)
        escalated += await enqueue(keys[incident["id"]], note, audience, urgent=True)
    return {"escalated": escalated}


async def remind_declarations(now: dt.datetime) -> dict:
    """From the reminder time (the deadline less the lead) until the deadline, remind everyone
    with a login who has not declared today (once per person a day). After the deadline (a run
    caught up late) there is nothing to remind of; before the reminder time (a run planned
    under an earlier deadline) it is too soon, and the next run, planned by the setting now,
    comes at the new reminder time."""
    policy = await load_policy()
    day = clock.local(now).date()
    deadline = deadline_at(day, policy)
    if not deadline - reminder_lead() <= now < deadline:
        return {"reminded": 0}
    accounts = await UserAccount.select(UserAccount.id, UserAccount.person).where(
        (UserAccount.active == True) & UserAccount.person.is_not_null()  # noqa: E712
    )
    declared = {
        r["person"]
        for r in await Declaration.select(Declaration.person).where(Declaration.day == day)
    }
    reminded = 0
    for account in accounts:
        if account["person"] in declared:
            continue
        note, audience = notes.declaration_reminder(account["id"], deadline)
        key = f"declaration_reminder:{day}:{account['person']}"
        reminded += await enqueue(key, note, audience, urgent=True)
    return {"reminded": reminded}


async def _reminder_time() -> str:
    """The declaration deadline (policy, 09:00) less the reminder lead (setting, 30 min)."""
    deadline = (await load_policy()).declaration_deadline
    hour, minute = (int(p) for p in deadline.split(":"))
    return (dt.datetime(2000, 1, 1, hour, minute) - reminder_lead()).strftime("%H:%M")


async def _digest_time() -> str:
    return config.targets().digest_at


async def _housekeeping(now: dt.datetime) -> dict:
    return await housekeeping.run_once(now)


JOBS = [
    Job("housekeeping", _housekeeping, every(dt.timedelta(hours=6)), at_once=True),
    Job("incident_overdue", escalate_overdue, every(dt.timedelta(minutes=5)), at_once=True),
    Job("daily_digest", send_digest, daily_at(_digest_time)),
    Job("declaration_reminders", remind_declarations, daily_at(_reminder_time)),
    Job(ZERO_REPORTS, watch_zero_reports, next_check),
]
