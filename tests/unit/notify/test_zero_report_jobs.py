"""The zero report's job with a controlled clock: heads reminded once before the deadline and
not when their report is in; the office told once of the late reports after the deadline
(at once) and of the missed ones after the day (in the digest); both rounds of an emergency
day; run by the scheduler at its checkpoints, once after downtime."""

import datetime as dt

import pytest

from server import clock
from server.audit.service import Actor
from server.emergency.service import switch
from server.emergency.tables import EmergencySwitch
from server.notify import scheduler
from server.notify.jobs import JOBS
from server.notify.tables import InAppNotification, OutboxMessage, OutboxStatus, ScheduledJob
from server.notify.zero_reports import next_check, watch_zero_reports
from server.org.tables import Department
from server.policy.service import store_setting
from server.reports import service as reports
from server.reports.tables import ZeroReport, ZeroReportVersion
from sync.ids import new_entry_id

DAY = dt.date(2020, 2, 10)
HEAD = Actor(username="head")
OFFICE = Actor(username="office")
ZEROS = dict.fromkeys(
    ("on_site", "at_home", "on_leave", "fever", "suspected", "close_contacts"), "0"
)
NOTHING = {"reminded": 0, "late": 0, "missed": 0}


def local(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    start, _ = clock.day_bounds(day)
    return start + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture(autouse=True)
async def no_reports():
    for table in (ZeroReportVersion, ZeroReport, EmergencySwitch):
        await table.delete(force=True)


async def everyone() -> int:
    return len(await reports.departments())


async def department(name: str) -> int:
    return (await Department.select(Department.id).where(Department.name == name).first())["id"]


async def report(name: str, at: dt.datetime, round_: str = "am") -> None:
    await reports.submit(new_entry_id(), await department(name), DAY, round_, ZEROS, HEAD, now=at)


async def told(kind: str) -> list[dict]:
    """Who got which in-app notice of `kind`, oldest first."""
    return (
        await InAppNotification.select(
            InAppNotification.user.username.as_alias("who"), InAppNotification.params
        )
        .where(InAppNotification.kind == kind)
        .order_by(InAppNotification.created_at)
        .output(load_json=True)
    )


async def outbox(kind: str) -> list[dict]:
    return await OutboxMessage.select().where(OutboxMessage.kind == kind)


async def test_heads_are_reminded_once_before_the_deadline(frozen, webhook, smtp):
    frozen.moment = local(9, 29)  # the deadline is 10:00, the reminder 30 minutes before
    assert (await watch_zero_reports(frozen()))["reminded"] == 0
    frozen.moment = local(9, 30)
    assert (await watch_zero_reports(frozen()))["reminded"] == await everyone()
    # The demo's one head account, of 办公室; the other departments' heads have no login.
    assert await told("zero_report_reminder") == [
        {"who": "head", "params": {"department": "办公室", "deadline": "10:00"}}
    ]
    # Their e-mail (settings), not the group robot: the group need not read every reminder.
    [mail] = await outbox("zero_report_reminder")
    assert mail["recipient"] == "head-bgs@hall.example" and mail["status"] == OutboxStatus.pending
    assert "办公室" in mail["body"] and "10:00" in mail["body"] and "零报告" in mail["body"]
    assert await watch_zero_reports(frozen()) == NOTHING
    frozen.moment = local(10, 1)  # late now: the office is told, the heads not again
    assert (await watch_zero_reports(frozen()))["reminded"] == 0
    assert len(await told("zero_report_reminder")) == 1


async def test_a_department_that_reported_is_not_reminded(frozen, smtp):
    await report("办公室", local(9, 0))  # a nil report is a report
    archive = await department("档案室")  # nothing to report that day: not reminded either
    await reports.mark_not_applicable(new_entry_id(), archive, DAY, "am", "全员外出培训", OFFICE)
    frozen.moment = local(9, 45)
    assert (await watch_zero_reports(frozen()))["reminded"] == await everyone() - 2
    assert await told("zero_report_reminder") == []
    assert await outbox("zero_report_reminder") == []


async def test_the_office_is_told_late_and_then_missed_once(frozen, webhook, smtp):
    await report("办公室", local(9, 0))
    frozen.moment = local(10, 1)
    assert (await watch_zero_reports(frozen()))["late"] == 1
    [late] = await told("zero_report_late")
    # The names as a list: each reader of the in-app note reads them listed in their language.
    names = late["params"]["departments"]
    assert late["who"] == "office" and late["params"]["deadline"] == "02-10 10:00"
    assert "办公室" not in names and "档案室" in names and len(names) == await everyone() - 1
    # Urgent: due at once, to the group robot and the office's e-mail.
    sent = await outbox("zero_report_late")
    assert sorted(r["recipient"] for r in sent) == sorted([webhook.url, "office@hall.example"])
    # Those read in Chinese, as written when it was queued.
    assert all(f"{'、'.join(names)} 截至" in r["body"] for r in sent)
    assert {r["status"] for r in sent} == {OutboxStatus.pending}

    await report("档案室", local(10, 30))  # late, but in that day: not missed
    frozen.moment = local(11, 0)
    assert await watch_zero_reports(frozen()) == NOTHING
    frozen.moment = local(24, 0)  # the day is over
    assert (await watch_zero_reports(frozen()))["missed"] == 1
    assert await watch_zero_reports(frozen()) == NOTHING
    # (Run outside the scheduler, the first run also told of the day before.)
    [missed] = [r for r in await told("zero_report_missed") if "02-10" in r["params"]["deadline"]]
    names = missed["params"]["departments"]
    assert "办公室" not in names and "档案室" not in names and "政工室" in names
    assert len(names) == await everyone() - 2
    # A record of a day gone by: held for the daily digest.
    assert {r["status"] for r in await outbox("zero_report_missed")} == {OutboxStatus.held}


async def test_an_emergency_day_has_both_rounds_reminded_and_told(frozen):
    frozen.moment = local(8, 0)
    await switch(True, "演练", Actor(username="leader"))
    frozen.moment = local(15, 30)
    result = await watch_zero_reports(frozen())
    # The morning round is late by now; the afternoon one is due at 16:00.
    assert result["reminded"] == await everyone() and result["late"] == 1
    assert [r["params"]["deadline"] for r in await told("zero_report_reminder")] == ["16:00"]
    await report("办公室", local(15, 45), "pm")
    frozen.moment = local(16, 1)
    assert (await watch_zero_reports(frozen()))["late"] == 1
    deadlines = [r["params"]["deadline"] for r in await told("zero_report_late")]
    assert deadlines == ["02-10 10:00", "02-10 16:00"]
    [_, afternoon] = await told("zero_report_late")
    assert "办公室" not in afternoon["params"]["departments"]


async def test_checkpoints_follow_the_deadlines_and_the_reminder_setting(monkeypatch):
    assert await next_check(local(8, 0)) == local(9, 30)
    assert await next_check(local(9, 30)) == local(10, 1)
    assert await next_check(local(10, 1)) == local(15, 30)  # an emergency's afternoon round
    assert await next_check(local(16, 1)) == local(24, 0)  # the day's end: missed ones
    monkeypatch.setenv("HALLWATCH_REMINDER_MINUTES", "60")
    assert await next_check(local(8, 0)) == local(9, 0)


async def test_the_scheduler_runs_it_at_its_checkpoints_and_once_after_downtime(frozen):
    listed = [job for job in JOBS if job.name == "zero_reports"]
    frozen.moment = local(8, 0)
    await scheduler.register(listed)
    assert await scheduler.tick(listed, "p1") == {}
    frozen.moment = local(9, 30)
    ran = await scheduler.tick(listed, "p1")
    assert ran["zero_reports"]["reminded"] == await everyone()
    assert await scheduler.tick(listed, "p2") == {}  # another process: nothing due
    # Down from 09:30 to 17:00: the 10:01 and 15:30 checks run once, as one run.
    frozen.moment = local(17, 0)
    ran = await scheduler.tick(listed, "p2")
    assert ran == {"zero_reports": {"reminded": 0, "late": 1, "missed": 0}}
    row = await ScheduledJob.select().where(ScheduledJob.name == "zero_reports").first()
    assert row["next_run_at"] == local(24, 0) and row["runs"] == 2
    assert len(await told("zero_report_reminder")) == 1


async def test_a_deadline_moved_earlier_brings_the_reminder_forward(frozen):
    listed = [job for job in JOBS if job.name == "zero_reports"]
    frozen.moment = local(8, 0)
    await scheduler.register(listed)  # next: 09:30, the reminder before 10:00
    await store_setting("zero_report_deadline", "09:00")
    try:
        await scheduler.bring_forward(listed)
        frozen.moment = local(8, 30)  # the reminder before the new deadline
        ran = await scheduler.tick(listed, "p1")
        assert ran["zero_reports"]["reminded"] == await everyone()
        # A deadline moved later keeps the earlier time: the job then looks again.
        await store_setting("zero_report_deadline", "11:00")
        await scheduler.bring_forward(listed)
        row = await ScheduledJob.select().where(ScheduledJob.name == "zero_reports").first()
        assert row["next_run_at"] == local(9, 1)
    finally:
        await store_setting("zero_report_deadline", "10:00")


async def test_rounds_due_before_the_install_are_neither_late_nor_missed(frozen):
    listed = [job for job in JOBS if job.name == "zero_reports"]
    next_day = DAY + dt.timedelta(days=1)
    frozen.moment = local(14, 0)  # installed after the morning deadline; nobody reported
    await scheduler.register(listed)
    frozen.moment = local(16, 1)
    assert (await scheduler.tick(listed, "p1"))["zero_reports"] == NOTHING
    frozen.moment = local(0, 0, next_day)
    assert (await scheduler.tick(listed, "p1"))["zero_reports"] == NOTHING
    assert await told("zero_report_late") == await told("zero_report_missed") == []
    # The first day the job watched from its reminder time on counts.
    frozen.moment = local(10, 1, next_day)
    assert (await scheduler.tick(listed, "p1"))["zero_reports"]["late"] == 1
    frozen.moment = local(0, 0, next_day + dt.timedelta(days=1))
    assert (await scheduler.tick(listed, "p1"))["zero_reports"]["missed"] == 1


async def test_each_day_of_a_longer_downtime_is_told_as_missed_once(frozen):
    listed = [job for job in JOBS if job.name == "zero_reports"]
    frozen.moment = local(8, 0)
    await scheduler.register(listed)
    frozen.moment = local(9, 30)
    assert (await scheduler.tick(listed, "p1"))["zero_reports"]["reminded"] == await everyone()
    # Down from 09:30 on the 10th until the 13th: the 10th, 11th and 12th were each missed.
    frozen.moment = local(0, 5, DAY + dt.timedelta(days=3))
    assert (await scheduler.tick(listed, "p1"))["zero_reports"]["missed"] == 3
    deadlines = sorted(r["params"]["deadline"] for r in await told("zero_report_missed"))
    assert deadlines == ["02-10 10:00", "02-11 10:00", "02-12 10:00"]
    # The next day's run tells only the day that just ended.
    frozen.moment = local(0, 5, DAY + dt.timedelta(days=4))
    assert (await scheduler.tick(listed, "p1"))["zero_reports"]["missed"] == 1
    assert len(await told("zero_report_missed")) == 4
