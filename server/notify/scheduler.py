"""A scheduler that survives restarts: each job's next run time is a row in the database.

On every tick each process tries to claim each due job with one conditional UPDATE (due, and
no live lease): exactly one process wins it, on SQLite and on PostgreSQL alike (there the
losers' UPDATE waits for the winner's row lock and then finds the lease taken). The winner
runs the job and sets the next run time from *now*, so the occurrences missed while the app
was down collapse into one run. A process dying mid-run leaves the lease to expire, and the
job runs again later — every job is idempotent."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from server import clock
from server.db import write_transaction
from server.notify.tables import ScheduledJob
from server.policy.service import Policy, load_policy

TICK_SECONDS = 20
LEASE = dt.timedelta(minutes=30)
RETRY_AFTER_FAILURE = dt.timedelta(minutes=5)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[dt.datetime], Awaitable[dict]]
    # The next time it is due, strictly after the given moment.
    next_after: Callable[[dt.datetime], Awaitable[dt.datetime]]
    # Due as soon as it is first registered (housekeeping), or at its first next time.
    at_once: bool = False


def every(interval: dt.timedelta) -> Callable[[dt.datetime], Awaitable[dt.datetime]]:
    async def next_after(now: dt.datetime) -> dt.datetime:
        return now + interval

    return next_after


def daily_at(
    local_time: Callable[[], Awaitable[str]],
) -> Callable[[dt.datetime], Awaitable[dt.datetime]]:
    """Each day at the hall's local "HH:MM" that `local_time()` gives (read each time, so a
    changed setting applies from the next run)."""

    async def next_after(now: dt.datetime) -> dt.datetime:
        hour, minute = (int(p) for p in (await local_time()).split(":"))
        today = clock.local(now).date()
        for day in (today, today + dt.timedelta(days=1)):
            at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_zone())
            if at > now:
                return at.astimezone(dt.UTC)
        raise AssertionError("unreachable: tomorrow is after now")

    return next_after


async def register(jobs: list[Job], now: dt.datetime | None = None) -> None:
    """Give each job its row, once; a job already known keeps its next run time."""
    now = now or clock.now()
    for job in jobs:
        first = now if job.at_once else await job.next_after(now)
        row = ScheduledJob(name=job.name, next_run_at=first, registered_at=now)
        await ScheduledJob.insert(row).on_conflict(target=ScheduledJob.name, action="DO NOTHING")


async def bring_forward(
    jobs: list[Job], now: dt.datetime | None = None, since: dt.datetime | None = None
) -> None:
    """After a setting a schedule depends on changed (a deadline moved earlier): each job is
    due at its new next time if that comes before the one it kept, so no reminder is skipped
    waiting for a time computed from the old setting. `since`: the last moment the change
    was not yet seen. A time the new setting plans after it and already past now (a reminder
    time moved to just before the tick that noticed) makes a job that has not started since
    due at once: planned from now, it would wait for the next day."""
    now = now or clock.now()
    for job in jobs:
        sooner = await job.next_after(now)
        await ScheduledJob.update({ScheduledJob.next_run_at: sooner}).where(
            (ScheduledJob.name == job.name) & (ScheduledJob.next_run_at > sooner)
        )
        if since is None or since >= now or (missed := await job.next_after(since)) > now:
            continue
        # Not a job started since then: it ran after the last look (in another process,
        # perhaps after the change), and a second run now would tell nobody anything new.
        await ScheduledJob.update({ScheduledJob.next_run_at: missed}).where(
            (ScheduledJob.name == job.name)
            & (ScheduledJob.next_run_at > missed)
            & (ScheduledJob.last_started_at.is_null() | (ScheduledJob.last_started_at <= since))
        )


class _Planned:
    """The settings this process last brought the jobs forward by (None: not yet), and when
    it last looked at them."""

    policy: Policy | None = None
    looked_at: dt.datetime | None = None


async def follow_settings(jobs: list[Job], now: dt.datetime | None = None) -> None:
    """Bring the jobs forward once the settings changed since this process last looked,
    whoever changed them (the settings page of any process, the CLI, a restore): a deadline
    moved earlier is then followed from the next tick, by every process, and planned from the
    last look before the change, so a reminder time falling between two ticks is not
    skipped. load_policy is kept per process until the setting table's stamp changes
    (server/cache), so a tick when nothing changed reads the stamps and no more."""
    now = now or clock.now()
    policy = await load_policy()
    if policy != _Planned.policy:
        since = _Planned.looked_at if _Planned.policy is not None else None
        await bring_forward(jobs, now, since)
        _Planned.policy = policy
    _Planned.looked_at = now


def _free_and_due(now: dt.datetime):
    return (ScheduledJob.next_run_at <= now) & (
        ScheduledJob.lease_until.is_null() | (ScheduledJob.lease_until < now)
    )


async def _claim(job: Job, owner: str, now: dt.datetime) -> bool:
    async with write_transaction():
        won = (
            await ScheduledJob.update(
                {
                    ScheduledJob.lease_owner: owner,
                    ScheduledJob.lease_until: now + LEASE,
                    ScheduledJob.last_started_at: now,
                }
            )
            .where((ScheduledJob.name == job.name) & _free_and_due(now))
            .returning(ScheduledJob.name)
        )
    return bool(won)


async def _finish(job: Job, owner: str, result: dict | None, error: str) -> None:
    now = clock.now()
    values = {
        ScheduledJob.lease_until: None,
        ScheduledJob.last_finished_at: now,
        ScheduledJob.last_error: error[:1000],
        ScheduledJob.next_run_at: now + RETRY_AFTER_FAILURE if error else await job.next_after(now),
    }
    if not error:
        values[ScheduledJob.last_result] = json.dumps(result, ensure_ascii=False, default=str)
        values[ScheduledJob.runs] = ScheduledJob.runs + 1
    await ScheduledJob.update(values).where(
        (ScheduledJob.name == job.name) & (ScheduledJob.lease_owner == owner)
    )


async def tick(jobs: list[Job], owner: str) -> dict[str, dict]:
    """Run every job that is due and that this process wins; name → its result."""
    await follow_settings(jobs)
    ran: dict[str, dict] = {}
    # A plain read first: most ticks find nothing due and take no write lock.
    rows = await ScheduledJob.select(ScheduledJob.name).where(_free_and_due(clock.now()))
    due = {r["name"] for r in rows}
    for job in jobs:
        now = clock.now()
        if job.name not in due or not await _claim(job, owner, now):
            continue
        try:
            result = await job.run(now)
        except Exception as error:  # recorded on the job's row; retried in a few minutes
            log.exception("job %s failed", job.name)
            await _finish(job, owner, None, f"{type(error).__name__}: {error}")
            continue
        await _finish(job, owner, result, "")
        log.info("job %s: %s", job.name, result)
        ran[job.name] = result
    return ran


async def forever(jobs: list[Job], owner: str) -> None:
    await register(jobs)
    while True:
        try:
            await tick(jobs, owner)
        except Exception:  # the database may be away for a moment; the next tick retries
            log.exception("scheduler tick failed")
        await asyncio.sleep(TICK_SECONDS)
