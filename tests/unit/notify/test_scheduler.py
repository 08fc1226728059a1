"""The scheduler: next runs in the database, a catch-up after downtime runs once, racing
processes run each job once, a process dying mid-run hands the job over after its lease."""

import asyncio
import datetime as dt

import pytest

from server.notify import scheduler
from server.notify.jobs import JOBS
from server.notify.scheduler import Job, daily_at, every
from server.notify.tables import ScheduledJob
from tests.unit.notify.conftest import START


class Counting:
    def __init__(self) -> None:
        self.runs: list[dt.datetime] = []

    async def __call__(self, now: dt.datetime) -> dict:
        await asyncio.sleep(0.01)  # give a racing process the chance to interleave
        self.runs.append(now)
        return {"n": len(self.runs)}


async def seventeen_thirty() -> str:
    return "17:30"


@pytest.fixture
def jobs():
    hourly, daily = Counting(), Counting()
    return (
        [
            Job("hourly", hourly, every(dt.timedelta(hours=1)), at_once=True),
            Job("daily", daily, daily_at(seventeen_thirty)),
        ],
        hourly,
        daily,
    )


async def job_row(name: str) -> dict:
    return await ScheduledJob.select().where(ScheduledJob.name == name).first()


async def test_daily_at_is_the_next_local_time():
    next_after = daily_at(seventeen_thirty)
    # START is 10:00 in the hall: today 17:30 local = 09:30 UTC; after that, tomorrow's.
    assert await next_after(START) == dt.datetime(2020, 2, 10, 9, 30, tzinfo=dt.UTC)
    later = dt.datetime(2020, 2, 10, 9, 30, tzinfo=dt.UTC)
    assert await next_after(later) == dt.datetime(2020, 2, 11, 9, 30, tzinfo=dt.UTC)


async def test_runs_when_due_and_not_before(frozen, jobs):
    listed, hourly, daily = jobs
    await scheduler.register(listed)
    assert await scheduler.tick(listed, "p1") == {"hourly": {"n": 1}}
    assert await scheduler.tick(listed, "p1") == {}
    frozen.advance(minutes=59)
    assert await scheduler.tick(listed, "p1") == {}
    frozen.advance(minutes=1)
    assert list(await scheduler.tick(listed, "p1")) == ["hourly"]
    frozen.advance(hours=7)  # 17:59 local: the daily job's time has come
    assert set(await scheduler.tick(listed, "p1")) == {"hourly", "daily"}
    row = await job_row("daily")
    assert row["runs"] == 1 and row["last_error"] == ""
    assert row["next_run_at"] == dt.datetime(2020, 2, 11, 9, 30, tzinfo=dt.UTC)


async def test_registering_again_after_a_restart_keeps_the_schedule(frozen, jobs):
    listed, hourly, _ = jobs
    await scheduler.register(listed)
    await scheduler.tick(listed, "p1")
    before = await job_row("hourly")
    frozen.advance(minutes=10)
    await scheduler.register(listed)  # the app restarts
    assert await job_row("hourly") == before
    assert await scheduler.tick(listed, "p2") == {}
    assert len(hourly.runs) == 1


async def test_what_was_due_during_downtime_runs_once_when_back(frozen, jobs):
    listed, hourly, daily = jobs
    await scheduler.register(listed)
    await scheduler.tick(listed, "before-downtime")
    frozen.advance(days=3, hours=2)  # down for three days: 72 hourly and 3 daily runs missed
    assert set(await scheduler.tick(listed, "after-downtime")) == {"hourly", "daily"}
    assert await scheduler.tick(listed, "after-downtime") == {}
    assert len(hourly.runs) == 2 and len(daily.runs) == 1
    assert (await job_row("hourly"))["next_run_at"] == frozen() + dt.timedelta(hours=1)


async def test_several_processes_run_each_job_once(frozen, jobs):
    listed, hourly, daily = jobs
    await scheduler.register(listed)
    frozen.advance(hours=8)
    results = await asyncio.gather(*(scheduler.tick(listed, f"process-{n}") for n in range(4)))
    assert len(hourly.runs) == 1 and len(daily.runs) == 1
    winners = sorted(name for result in results for name in result)
    assert winners == ["daily", "hourly"]


async def test_a_process_dying_mid_run_hands_the_job_over_after_its_lease(frozen, jobs):
    listed, hourly, _ = jobs
    await scheduler.register(listed)

    async def killed(now):
        raise asyncio.CancelledError

    dying = [Job("hourly", killed, every(dt.timedelta(hours=1)), at_once=True)]
    with pytest.raises(asyncio.CancelledError):
        await scheduler.tick(dying, "dying")
    assert await scheduler.tick(listed, "other") == {}  # its lease still holds
    frozen.advance(minutes=31)
    assert list(await scheduler.tick(listed, "other")) == ["hourly"]
    assert len(hourly.runs) == 1


async def test_a_failing_job_is_recorded_and_retried_in_five_minutes(frozen):
    calls = []

    async def broken(now):
        calls.append(now)
        raise ValueError("district server unreachable")

    listed = [Job("broken", broken, every(dt.timedelta(hours=6)), at_once=True)]
    await scheduler.register(listed)
    assert await scheduler.tick(listed, "p1") == {}
    row = await job_row("broken")
    assert "district server unreachable" in row["last_error"] and row["runs"] == 0
    assert row["next_run_at"] == frozen() + dt.timedelta(minutes=5)
    frozen.advance(minutes=5)
    await scheduler.tick(listed, "p1")
    assert len(calls) == 2


async def test_the_app_jobs_register_and_housekeeping_runs_at_once(frozen):
    await scheduler.register(JOBS)
    names = {r["name"] for r in await ScheduledJob.select(ScheduledJob.name)}
    assert names == {
        "housekeeping",
        "incident_overdue",
        "daily_digest",
        "declaration_reminders",
        "zero_reports",
    }
    ran = await scheduler.tick(JOBS, "p1")
    assert ran["housekeeping"] == {"visitor_records_purged": 0, "preregistrations_purged": 0}
    assert "incident_overdue" in ran
    assert (await job_row("housekeeping"))["next_run_at"] == frozen() + dt.timedelta(hours=6)
    # 10:00 local: the reminders (08:30) come tomorrow, the digest at 17:30 today.
    assert (await job_row("declaration_reminders"))["next_run_at"] == dt.datetime(
        2020, 2, 11, 0, 30, tzinfo=dt.UTC
    )
    assert (await job_row("daily_digest"))["next_run_at"] == dt.datetime(
        2020, 2, 10, 9, 30, tzinfo=dt.UTC
    )
    # The zero report's deadline is 10:00: it checks for late reports a minute past it.
    assert (await job_row("zero_reports"))["next_run_at"] == dt.datetime(
        2020, 2, 10, 2, 1, tzinfo=dt.UTC
    )
