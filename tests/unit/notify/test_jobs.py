"""The real causes and jobs: a hold or a risky declaration notifies at once the roles that
need it; an overdue incident escalates once; the rest waits for one digest a day;
declaration reminders once per person a day; all with a controlled clock."""

import datetime as dt

import pytest

from server.audit.service import Actor
from server.checks import service as checks
from server.declarations import absences
from server.declarations.service import submit_declaration
from server.declarations.status import clear_to_work
from server.incidents.service import add_step, raise_incident
from server.incidents.tables import StepKind
from server.notify import jobs, scheduler, worker
from server.notify.digest import send_digest
from server.notify.tables import InAppNotification, OutboxMessage, OutboxStatus, ScheduledJob
from server.org.tables import Person
from server.policy.service import Policy, store_setting
from sync.ids import new_entry_id

DESK = Actor(username="desk", device="dev-n")
OFFICE = Actor(username="office")
HEAD = Actor(username="head")


async def in_app(kind: str) -> list[str]:
    rows = await InAppNotification.select(InAppNotification.user.username.as_alias("who")).where(
        InAppNotification.kind == kind
    )
    return sorted(r["who"] for r in rows)


async def outbox(kind: str) -> list[dict]:
    return await OutboxMessage.select().where(OutboxMessage.kind == kind)


async def wang_ping() -> int:
    """王萍, the staff login, in the head's 办公室."""
    return (await Person.select(Person.id).where(Person.name == "王萍").first())["id"]


async def colleague(n: int) -> int:
    """Someone else of 办公室 without a login, one per test that sends people home."""
    rows = (
        await Person.select(Person.id, Person.name)
        .where(Person.department.name == "办公室")
        .order_by(Person.id)
    )
    return [r["id"] for r in rows if r["name"] not in ("王萍", "董敏")][n]


async def test_a_staff_hold_tells_the_office_the_leaders_and_the_head(frozen, webhook, smtp):
    entry = new_entry_id()
    form = {"person": str(await wang_ping()), "direction": "arrival", "temperature": "37.9"}
    await checks.record_staff_check(entry, form, DESK, Policy())
    assert await in_app("incident_raised") == []  # not held yet: a re-measure is due
    await checks.remeasure_staff(entry, "38.1", DESK, Policy())
    assert await in_app("incident_raised") == ["head", "leader", "office"]
    addresses = sorted(r["recipient"] for r in await outbox("incident_raised"))
    assert addresses == sorted(
        ["head-bgs@hall.example", "office@hall.example", webhook.url, "zuzhang@hall.example"]
    )
    assert {r["status"] for r in await outbox("incident_raised")} == {OutboxStatus.pending}
    await clear_to_work(await wang_ping(), "the hold was a misreading", OFFICE)  # held: home


async def test_a_risky_declaration_sends_word_of_the_stay_home_at_once(frozen, webhook):
    form = {
        "temperature": "38.2",
        "symptoms": ["cough"],
        "left_city": "no",
        "outbreak_contact": "no",
        "household_symptoms": "no",
        "work_mode": "on_site",
    }
    staff = Actor(username="staff")
    await submit_declaration(await wang_ping(), form, staff, Policy(), submission_id=new_entry_id())
    [stay_home] = await outbox("stay_home")
    assert stay_home["status"] == OutboxStatus.pending and "王萍" in stay_home["body"]
    assert await in_app("incident_raised") == ["head", "leader", "office"]
    assert await in_app("stay_home") == ["head", "leader", "office"]
    await worker.deliver_due("w1")
    contents = [payload["text"]["content"] for _, payload in webhook.received]
    assert any("王萍" in c and "在家等候通知" in c for c in contents), contents


async def test_an_overdue_incident_escalates_to_the_leaders_once(frozen, webhook):
    incident = await raise_incident("manual", None, "赵六", "A03", "38.4 °C", frozen(), OFFICE)
    reported = await raise_incident("manual", None, "孙七", "A04", "38.0 °C", frozen(), OFFICE)
    cleared = await raise_incident("manual", None, "周八", "A05", "37.4 °C", frozen(), OFFICE)
    frozen.advance(minutes=30)
    await add_step(
        reported, StepKind.reported_district, {"called": "区疾控", "number": "120"}, None, OFFICE
    )
    await add_step(cleared, StepKind.cleared, {"reason": "复测正常"}, None, OFFICE)  # not closed
    frozen.advance(minutes=89)
    assert await jobs.escalate_overdue(frozen()) == {"escalated": 0}
    frozen.advance(minutes=2)  # 2 h 01 after detection
    assert await jobs.escalate_overdue(frozen()) == {"escalated": 1}
    assert await in_app("incident_overdue") == ["leader", "office"]
    [escalation] = await outbox("incident_overdue")
    assert str(incident) in escalation["event"] and "赵六" in escalation["body"]
    frozen.advance(minutes=5)
    assert await jobs.escalate_overdue(frozen()) == {"escalated": 0}
    assert len(await outbox("incident_overdue")) == 1


async def test_the_rest_goes_out_in_one_digest_per_target_a_day(frozen, webhook, smtp):
    person = await colleague(0)
    form = {"since": "2020-02-10", "symptoms": "咳嗽", "saw_doctor": "no"}
    await absences.register_absence(person, form, HEAD, entry_id=new_entry_id())
    held = await outbox("sick_absence")
    assert held and {r["status"] for r in held} == {OutboxStatus.held}
    assert await worker.deliver_due("w1") == {"sent": 0, "failed": 0}  # nothing urgent

    frozen.advance(hours=7, minutes=30)
    result = await send_digest(frozen())
    targets = {r["recipient"] for r in held}
    assert result == {"digests": len(targets), "notifications": len(held)}
    assert await send_digest(frozen()) == {"digests": 0, "notifications": 0}
    digests = await outbox("digest")
    assert sorted(r["recipient"] for r in digests) == sorted(targets)
    assert all("2020-02-10" in r["subject"] for r in digests)
    name = (await Person.select(Person.name).where(Person.id == person).first())["name"]
    assert all(name in r["body"] for r in digests)

    await worker.deliver_due("w1")
    assert len(webhook.received) == 1
    assert len(smtp.messages) == len(targets) - 1
    assert {r["status"] for r in await outbox("sick_absence")} == {OutboxStatus.digested}


async def test_a_target_with_todays_digest_gets_later_news_tomorrow(frozen, webhook):
    person = await colleague(1)
    form = {"since": "2020-02-10", "symptoms": "发热", "saw_doctor": "yes"}
    await absences.register_absence(person, form, HEAD, entry_id=new_entry_id())
    assert await send_digest(frozen()) == {"digests": 1, "notifications": 1}
    await clear_to_work(person, "复查正常", OFFICE)
    assert await send_digest(frozen()) == {"digests": 0, "notifications": 0}
    assert [r["status"] for r in await outbox("cleared")] == [OutboxStatus.held]
    frozen.advance(days=1)
    assert await send_digest(frozen()) == {"digests": 1, "notifications": 1}


async def test_declaration_reminders_once_per_person_a_day_before_the_deadline(frozen):
    frozen.moment = dt.datetime(2020, 2, 12, 0, 30, tzinfo=dt.UTC)  # 08:30 in the hall
    first = await jobs.remind_declarations(frozen())
    reminded = await in_app("declaration_reminder")
    assert first["reminded"] == len(reminded) and "staff" in reminded and "desk" not in reminded
    assert await jobs.remind_declarations(frozen()) == {"reminded": 0}
    frozen.advance(minutes=31)  # 09:01: past the deadline
    frozen.advance(days=1)
    assert await jobs.remind_declarations(frozen()) == {"reminded": 0}
    frozen.advance(minutes=-31)  # the next day at 08:30
    assert (await jobs.remind_declarations(frozen()))["reminded"] == first["reminded"]
    [message] = {
        r["params"]["deadline"] for r in await InAppNotification.select().output(load_json=True)
    }
    assert message == "09:00"


async def test_someone_who_declared_is_not_reminded(frozen):
    frozen.moment = dt.datetime(2020, 2, 10, 0, 0, tzinfo=dt.UTC)  # 08:00
    normal = {
        "temperature": "36.5",
        "symptoms": [],
        "left_city": "no",
        "outbreak_contact": "no",
        "household_symptoms": "no",
        "work_mode": "on_site",
    }
    await submit_declaration(
        await wang_ping(), normal, Actor(username="staff"), Policy(), submission_id=new_entry_id()
    )
    frozen.advance(minutes=30)  # the reminder time
    await jobs.remind_declarations(frozen())
    assert "staff" not in await in_app("declaration_reminder")
    assert "head" in await in_app("declaration_reminder")


def hall_time(hour: int, minute: int = 0) -> dt.datetime:
    """That time on 2020-02-10 in the hall (UTC+8)."""
    return dt.datetime(2020, 2, 10, hour, minute, tzinfo=dt.UTC) - dt.timedelta(hours=8)


REMINDERS = [job for job in jobs.JOBS if job.name == "declaration_reminders"]


async def reminders_next() -> dt.datetime:
    row = await ScheduledJob.select().where(ScheduledJob.name == "declaration_reminders").first()
    return row["next_run_at"]


@pytest.fixture
async def deadline():
    """`await deadline("10:00")` moves the declaration deadline; 09:00 again afterwards."""
    yield lambda time: store_setting("declaration_deadline", time)
    await store_setting("declaration_deadline", "09:00")


async def test_a_deadline_moved_later_is_reminded_of_at_its_new_time(frozen, deadline):
    frozen.moment = hall_time(8, 0)
    await scheduler.register(REMINDERS)  # planned for 08:30, before the 09:00 deadline
    await deadline("10:00")
    assert await scheduler.tick(REMINDERS, "p1") == {}  # it follows the setting: keeps 08:30
    frozen.moment = hall_time(8, 30)
    assert (await scheduler.tick(REMINDERS, "p1"))["declaration_reminders"] == {"reminded": 0}
    assert await reminders_next() == hall_time(9, 30)
    frozen.moment = hall_time(9, 30)
    ran = await scheduler.tick(REMINDERS, "p1")
    assert ran["declaration_reminders"]["reminded"] > 0
    told = await InAppNotification.select().output(load_json=True)
    assert {r["params"]["deadline"] for r in told} == {"10:00"}


async def test_a_deadline_moved_earlier_anywhere_is_followed_at_the_next_tick(frozen, deadline):
    """Changed by another process, the CLI or a restore: no settings page brought the job
    forward, and this process's ticks follow the setting all the same."""
    frozen.moment = hall_time(7, 0)
    await scheduler.register(REMINDERS)
    assert await scheduler.tick(REMINDERS, "p1") == {}
    await deadline("08:00")
    frozen.moment = hall_time(7, 5)
    assert await scheduler.tick(REMINDERS, "p1") == {}
    assert await reminders_next() == hall_time(7, 30)
    frozen.moment = hall_time(7, 30)
    ran = await scheduler.tick(REMINDERS, "p1")
    assert ran["declaration_reminders"]["reminded"] > 0


async def test_a_reminder_time_a_change_brings_between_two_ticks_is_not_skipped(frozen, deadline):
    """Moved to 08:00 at 07:29:50, the deadline has its reminder at 07:30, already past at the
    next tick (07:30:05): planned from then, the job would wait for tomorrow's."""
    looked = frozen.moment = hall_time(7, 29) + dt.timedelta(seconds=45)
    await scheduler.register(REMINDERS)
    assert await scheduler.tick(REMINDERS, "p1") == {}
    seen = scheduler._Planned.policy
    frozen.moment = hall_time(7, 29) + dt.timedelta(seconds=50)
    await deadline("08:00")
    frozen.moment = hall_time(7, 30) + dt.timedelta(seconds=5)
    ran = await scheduler.tick(REMINDERS, "p1")
    assert ran["declaration_reminders"]["reminded"] > 0
    assert await reminders_next() == hall_time(7, 30) + dt.timedelta(days=1)
    # Another process, whose last look came before the change too, runs it no second time.
    scheduler._Planned.policy, scheduler._Planned.looked_at = seen, looked
    frozen.moment = hall_time(7, 30) + dt.timedelta(seconds=15)
    assert await scheduler.tick(REMINDERS, "p2") == {}
