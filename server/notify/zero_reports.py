"""The zero report's job (每日零报告): heads reminded before a round's deadline, the office told
which departments are late (迟报) once the deadline has passed and which missed (漏报) once the
day is over. Who is due, late or missed is server/reports' `day_status`, so the rounds of an
emergency day (twice a day) come with it. Every notice has its event key, so a second run
writes nothing twice."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from server import clock
from server.notify import config, notes
from server.notify.service import enqueue
from server.notify.tables import ScheduledJob
from server.policy.service import load_policy
from server.reports import rules
from server.reports.service import day_status, in_state
from server.reports.tables import ReportRound

JOB = "zero_reports"
# slot_state calls a report late only strictly after its deadline: run a minute past it.
PAST_DEADLINE = dt.timedelta(minutes=1)
# After downtime each day of the gap is told as missed, going back at most this far.
CATCH_UP_DAYS = 31


def reminder_lead() -> dt.timedelta:
    """How long before a deadline its reminders go out (HALLWATCH_REMINDER_MINUTES)."""
    return dt.timedelta(minutes=config.targets().reminder_minutes)


async def watch_zero_reports(now: dt.datetime) -> dict:
    """Today's reminders and late notices, and the missed ones of each day that ended since
    the job last ran (yesterday, when it runs every day)."""
    policy = await load_policy()
    today = clock.local(now).date()
    job = await _job()
    # When the scheduler took this job on: the app's install, or the upgrade that added it.
    since = job["registered_at"] if job else None
    rows = await day_status(today, now, policy)
    missed = 0
    for day in _days_over(today, job):
        missed += await _tell_office("missed", _watched(await day_status(day, now, policy), since))
    return {
        "reminded": await _remind_heads(rows, now),
        "late": await _tell_office("late", _watched(rows, since)),
        "missed": missed,
    }


async def _job() -> dict | None:
    """The job's row; None when it runs outside the scheduler."""
    return await ScheduledJob.select().where(ScheduledJob.name == JOB).first()


def _days_over(today: dt.date, job: dict | None) -> list[dt.date]:
    """The days whose missed reports are told now: yesterday, and every day back to the one
    the job last finished in (its end came after that run). After a failed run, as far back
    as CATCH_UP_DAYS: what that run told is not known, and each notice is told once anyway."""
    yesterday = today - dt.timedelta(days=1)
    oldest = today - dt.timedelta(days=CATCH_UP_DAYS)
    if job is None or job["last_finished_at"] is None:
        first = yesterday
    elif job["last_error"]:
        first = oldest
    else:
        first = min(yesterday, clock.local(job["last_finished_at"]).date())
    first = max(first, oldest)
    return [first + dt.timedelta(days=n) for n in range((today - first).days)]


def _watched(rows: list[dict], since: dt.datetime | None) -> list[dict]:
    """The rounds whose reminder time came after the job was taken on. A round due before the
    app was installed was never asked for here: it is neither late nor missed."""
    if since is None:
        return rows
    return [row for row in rows if row["deadline"] - reminder_lead() >= since]


async def _remind_heads(rows: list[dict], now: dt.datetime) -> int:
    """Each department whose report is still due within the reminder lead, once a round.
    Past the deadline a report is late, not due, so a run caught up late reminds nobody."""
    reminded = 0
    for row in in_state(rows, "due"):
        if now < row["deadline"] - reminder_lead():
            continue
        note, audience = notes.zero_report_reminder(row)
        key = f"zero_report_reminder:{row['day']}:{row['round']}:{row['department']}"
        reminded += await enqueue(key, note, audience, urgent=True)
    return reminded


def _round(row: dict) -> str:
    return row["round"]


async def _tell_office(state: str, rows: list[dict]) -> int:
    """One notice per round naming every department in `state`, once. Late is urgent (the
    office can still chase it today); missed is a record of a day gone by and waits for the
    digest."""
    told = 0
    by_round = sorted(in_state(rows, state), key=_round)  # stable: departments keep their order
    for round_, group in groupby(by_round, key=_round):
        found = list(group)
        note, audience = notes.zero_reports_overdue(state, found)
        key = f"zero_report_{state}:{found[0]['day']}:{round_}"
        told += await enqueue(key, note, audience, urgent=state == "late")
    return told


async def next_check(now: dt.datetime) -> dt.datetime:
    """The next moment the job has news: a round's reminder time, a minute past its deadline,
    or the start of a day (the day before is then over). Both rounds count every day: whether
    the afternoon one is due is day_status's to say when the job runs."""
    policy = await load_policy()
    today = clock.local(now).date()
    moments = []
    for day in (today, today + dt.timedelta(days=1)):
        moments.append(clock.day_bounds(day)[0])
        for round_ in ReportRound:
            deadline = rules.deadline(day, round_, policy)
            moments += [deadline - reminder_lead(), deadline + PAST_DEADLINE]
    return min(moment for moment in moments if moment > now)
