"""The roster on the real database: planning, copy last week, the head's scope, the log."""

import datetime as dt

import pytest

from server import clock, demo
from server.audit.service import Actor
from server.checks.rules import Invalid
from server.duty import service
from server.duty.copy_week import Copied, copy_last_week
from server.duty.tables import DutyShift
from server.org.tables import Department, Person
from sync.ids import new_entry_id
from tests.support import reset_database

OFFICE = Actor(username="office")
HEAD = Actor(username="head")
LAST_MONDAY = dt.date(2026, 2, 23)
MONDAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)


async def dept(name: str) -> int:
    return (await Department.select(Department.id).where(Department.name == name).first())["id"]


async def member(department: str) -> int:
    """Someone of the department outside the leading group."""
    row = (
        await Person.select(Person.id)
        .where((Person.department == await dept(department)) & (Person.group_role == ""))
        .first()
    )
    return row["id"]


async def plan(day, post, person, window="", start="", end="", scope=None, entry=None):
    form = {"day": str(day), "post": post, "person": str(person), "window": window}
    form |= {"start": start, "end": end, "phone": "0632-5512345"}
    return await service.add_shift(entry or new_entry_id(), form, OFFICE, scope)


async def test_a_window_shift_defaults_to_opening_hours_and_a_replay_stores_nothing():
    person = await member("区市场监督管理局")
    entry = new_entry_id()
    first = await plan(LAST_MONDAY, "window", person, "A01", entry=entry)
    assert first.created and (first.row["start"], first.row["end"]) == ("08:30", "17:00")
    again = await plan(LAST_MONDAY, "window", person, "A01", entry=entry)
    same_shift_new_form = await plan(LAST_MONDAY, "window", person, "A01")
    assert not again.created and not same_shift_new_form.created
    assert await DutyShift.count().where(DutyShift.day == LAST_MONDAY) == 1


async def test_bad_forms_are_refused_with_every_problem():
    with pytest.raises(Invalid) as bad:
        await service.add_shift(
            new_entry_id(),
            {"day": "x", "post": "window", "person": "999999", "start": "9", "end": "08:00"},
            OFFICE,
            None,
        )
    assert {p.field for p in bad.value.problems} == {"day", "person", "window", "start"}
    staff = await member("档案室")
    with pytest.raises(Invalid) as bad:
        await plan(LAST_MONDAY, "leader", staff)
    assert bad.value.problems[0].field == "person"  # not in the leading group
    with pytest.raises(Invalid) as bad:
        await service.add_shift(
            new_entry_id(), {"day": str(LAST_MONDAY), "post": "phone", "person": str(staff)},
            OFFICE, None,
        )  # fmt: skip
    assert bad.value.problems[0].field == "phone"


async def test_a_head_plans_only_their_own_department():
    own, other = await dept("档案室"), await member("政工室")
    with pytest.raises(Invalid) as bad:
        await plan(LAST_MONDAY, "hall", other, scope=own)
    assert bad.value.problems[0].field == "person"
    made = await plan(LAST_MONDAY, "hall", await member("档案室"), scope=own)
    with pytest.raises(PermissionError):
        await service.remove_shift(made.row["id"], HEAD, await dept("政工室"))


async def test_copy_last_week_twice_adds_the_week_once():
    leader = (await Person.select(Person.id).where(Person.group_role == "leader").first())["id"]
    for n in range(7):
        await plan(LAST_MONDAY + dt.timedelta(days=n), "leader", leader)
    source = await service.shifts_between(LAST_MONDAY, LAST_MONDAY + dt.timedelta(days=6))
    added = (await copy_last_week(MONDAY + dt.timedelta(days=3), OFFICE, None)).added
    assert added == len(source) > 7
    assert await copy_last_week(MONDAY, OFFICE, None) == Copied(0, [])
    copied = await service.shifts_between(MONDAY, MONDAY + dt.timedelta(days=6))
    assert sorted((s["day"] - dt.timedelta(days=7), s["post"], s["person"]) for s in copied) == (
        sorted((s["day"], s["post"], s["person"]) for s in source)
    )
    leader_gaps = [g for g in await service.gaps_ahead(MONDAY, 7) if g.post == "leader"]
    assert leader_gaps == []


async def test_a_heads_copy_takes_only_their_department():
    archive = await dept("档案室")
    next_monday = MONDAY + dt.timedelta(days=7)
    await plan(MONDAY + dt.timedelta(days=1), "hall", await member("档案室"), start="13:00")
    this_week = await service.shifts_between(MONDAY, MONDAY + dt.timedelta(days=6))
    assert {s["department"] for s in this_week} - {archive}  # other departments are there too
    added = (await copy_last_week(next_monday, HEAD, archive)).added
    copied = await service.shifts_between(next_monday, next_monday + dt.timedelta(days=6))
    assert added == len(copied) == sum(s["department"] == archive for s in this_week) >= 2
    assert {s["department"] for s in copied} == {archive}


async def test_a_shift_with_a_log_stays_and_one_without_goes():
    person = await member("政务服务中心")
    kept = await plan(MONDAY, "hall", person, start="08:00", end="12:00")
    entry = new_entry_id()
    await service.add_log_entry(entry, kept.row["id"], "handover", "交接：体温枪电池已换", OFFICE)
    await service.add_log_entry(entry, kept.row["id"], "handover", "交接：体温枪电池已换", OFFICE)
    assert len(await service.duty_log(kept.row["id"])) == 1
    with pytest.raises(Invalid):
        await service.remove_shift(kept.row["id"], OFFICE, None)
    gone = await plan(MONDAY, "hall", person, start="12:00", end="17:00")
    await service.remove_shift(gone.row["id"], OFFICE, None)
    await service.remove_shift(gone.row["id"], OFFICE, None)  # again: nothing to do
    assert await service.shift(gone.row["id"]) is None and await service.shift(kept.row["id"])
    with pytest.raises(Invalid):
        await service.add_log_entry(new_entry_id(), kept.row["id"], "event", "  ", OFFICE)


async def test_on_duty_at_a_moment():
    person = await member("区税务局")
    day = MONDAY + dt.timedelta(days=2)
    await plan(day, "window", person, "D01", start="08:30", end="12:00")
    at = dt.datetime.combine(day, dt.time(11, 59), tzinfo=clock.hall_zone())
    window = (await service.shift((await service.my_shifts(person, day))[0]["id"]))["window"]
    assert [s["person"] for s in await service.on_duty_at("window", window, at)] == [person]
    noon = at + dt.timedelta(minutes=1)
    assert await service.on_duty_at("window", window, noon) == []


async def test_one_person_cannot_hold_two_posts_at_once():
    person = await member("区公安分局")
    day = MONDAY + dt.timedelta(days=3)
    await plan(day, "window", person, "E01", start="08:30", end="12:00")
    for post, window, start, end in (
        ("window", "E02", "11:59", "17:00"),
        ("hall", "", "08:00", "08:31"),
        ("phone", "", "", ""),
    ):
        with pytest.raises(Invalid) as bad:
            await plan(day, post, person, window, start, end)
        (problem,) = bad.value.problems
        assert problem.field == "person"
        assert problem.params == {"person": problem.params["person"], "window": "E01",
                                  "start": "08:30", "end": "12:00"}  # fmt: skip
    after = await plan(day, "window", person, "E02", start="12:00", end="17:00")
    assert after.created  # one ends as the other starts
    replay = await plan(day, "window", person, "E01", start="08:30", end="12:00")
    assert not replay.created  # the same shift again is a replay, not an overlap


async def test_copying_skips_a_shift_whose_person_is_busy_then():
    person = await member("区不动产登记中心")
    first, second = dt.date(2026, 4, 6), dt.date(2026, 4, 13)
    await plan(first, "window", person, "C01")
    await plan(first + dt.timedelta(days=1), "window", person, "C01")
    await plan(second, "hall", person, start="16:00", end="18:00")
    done = await copy_last_week(second, OFFICE, await dept("区不动产登记中心"))
    assert done.added == 1
    assert [(s["day"], s["post"]) for s in done.skipped] == [(second, "window")]
