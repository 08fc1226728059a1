"""Close contacts: suggestions at the ±30 minute edges, staff on duty at the post, a staff
case's department; confirmation once; observation ending by the clock (SORMAS #3791)."""

import datetime as dt

import pytest

from server import clock, demo
from server.audit.service import Actor
from server.checks import service as checks
from server.checks.rules import Invalid
from server.duty.service import add_shift
from server.incidents import contacts, follow_ups
from server.incidents.tables import CloseContact, Incident
from server.org.tables import Department, Person
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import reset_database

DESK = Actor(username="desk")
OFFICE = Actor(username="office")
DAY = dt.date(2026, 3, 4)
CASE_AT = dt.datetime.combine(DAY, dt.time(10, 0), tzinfo=clock.hall_zone())


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)


async def visitor(name: str, purpose: str, at: dt.datetime, temperature="36.5") -> dict:
    form = {"name": name, "phone": "13800001111", "temperature": temperature, "purpose": purpose}
    return (await checks.record_visitor_check(new_entry_id(), form, DESK, Policy(), now=at)).check


async def staff_of(unit: str) -> list[int]:
    rows = await Person.select(Person.id).where(Person.department.name == unit)
    return [r["id"] for r in rows]


async def on_duty(post: str, person: int, window: str = "", start="08:30", end="12:00"):
    form = {"day": str(DAY), "post": post, "window": window, "person": str(person)}
    await add_shift(new_entry_id(), form | {"start": start, "end": end}, OFFICE, None)


@pytest.fixture(scope="module")
async def visitor_case():
    """A held visitor at A01 at 10:00 and the visitors and staff around them."""
    minute, second = dt.timedelta(minutes=1), dt.timedelta(seconds=1)
    near = [
        ("整三十分前", "A01 企业开办", CASE_AT - 30 * minute),
        ("整三十分后", "A02 食品经营许可", CASE_AT + 30 * minute),  # same resident unit
        ("五分钟后", "A01 企业开办", CASE_AT + 5 * minute),
    ]
    far = [
        ("差一秒", "A01 企业开办", CASE_AT - 30 * minute - second),
        ("三十一分后", "A01 企业开办", CASE_AT + 31 * minute),
        ("别的窗口", "B01 社保登记", CASE_AT + 2 * minute),
    ]
    for name, purpose, at in near + far:
        await visitor(name, purpose, at)
    market = await staff_of("区市场监督管理局")
    centre = await staff_of("政务服务中心")
    await on_duty("window", market[0], "A01")
    await on_duty("window", market[1], "A02")  # the neighbouring window: not that post
    await on_duty("window", market[2], "A01", start="12:00", end="17:00")  # not yet on duty
    await on_duty("hall", centre[0], start="08:30", end="17:00")
    case = await visitor("发热访客", "A01 企业开办", CASE_AT, "38.4")
    await checks.remeasure_visitor(case["id"], "38.6", DESK, Policy())
    incident = await Incident.select().where(Incident.source_id == str(case["id"])).first()
    return {"incident": incident, "on_duty": {market[0], centre[0]}}


def test_the_contact_window_includes_both_edges():
    assert contacts.within(CASE_AT + dt.timedelta(minutes=30), CASE_AT, 30)
    assert contacts.within(CASE_AT - dt.timedelta(minutes=30), CASE_AT, 30)
    assert not contacts.within(CASE_AT - dt.timedelta(minutes=30, seconds=1), CASE_AT, 30)


async def test_visitors_within_30_minutes_at_the_window_or_its_group(visitor_case):
    found = await contacts.suggestions(visitor_case["incident"])
    visitors = {s.name: s.reason for s in found if s.kind == "visitor"}
    assert visitors == {
        "整三十分前": "same_window",
        "整三十分后": "same_group",
        "五分钟后": "same_window",
    }


async def test_staff_on_duty_at_the_post_and_on_the_hall_floor(visitor_case):
    found = await contacts.suggestions(visitor_case["incident"])
    staff = {int(s.ref) for s in found if s.kind == "staff"}
    assert staff == visitor_case["on_duty"]
    assert all(s.reason == "on_duty" for s in found if s.kind == "staff")


async def test_confirming_twice_makes_one_contact_and_it_leaves_the_suggestions(visitor_case):
    incident = visitor_case["incident"]
    pick = next(s for s in await contacts.suggestions(incident) if s.name == "五分钟后")
    form = {"kind": pick.kind, "ref": pick.ref, "reason": pick.reason, "measure": "isolation"}
    first = await contacts.confirm(incident["id"], form, OFFICE, DAY)
    second = await contacts.confirm(incident["id"], form, OFFICE, DAY)
    assert first.created and not second.created and first.row["id"] == second.row["id"]
    assert await CloseContact.count().where(CloseContact.incident == incident["id"]) == 1
    assert first.row["end_on"] == DAY + dt.timedelta(days=14)
    assert "五分钟后" not in {s.name for s in await contacts.suggestions(incident)}
    # the name is read from the record, never taken from the form
    forged = await contacts.confirm(incident["id"], {**form, "name": "x"}, OFFICE, DAY)
    assert forged.row["name"] == "五分钟后"


async def test_a_confirmation_naming_nothing_on_record_is_refused(visitor_case):
    incident = visitor_case["incident"]
    for form in ({"kind": "visitor", "ref": str(new_entry_id())}, {"kind": "staff", "ref": "x"}):
        with pytest.raises(Invalid):
            await contacts.confirm(incident["id"], form, OFFICE, DAY)


async def test_a_staff_case_suggests_their_department():
    person = await Person.select().where(Person.name == "王萍").first()
    form = {"person": str(person["id"]), "direction": "arrival", "temperature": "38.2"}
    at = CASE_AT - dt.timedelta(hours=2)
    check = (await checks.record_staff_check(new_entry_id(), form, DESK, Policy(), now=at)).check
    await checks.remeasure_staff(check["id"], "38.4", DESK, Policy())
    incident = await Incident.select().where(Incident.source_id == str(check["id"])).first()
    office = await Department.select().where(Department.name == "办公室").first()
    colleagues = {
        str(p["id"])
        for p in await Person.select(Person.id).where(Person.department == office["id"])
        if p["id"] != person["id"]
    }
    found = await contacts.suggestions(incident)
    assert {s.ref for s in found} == colleagues and colleagues
    assert {s.reason for s in found} == {"same_department"}


async def test_observation_ends_on_its_end_date_without_a_last_visit(visitor_case):
    incident = visitor_case["incident"]
    pick = next(s for s in await contacts.suggestions(incident) if s.name == "整三十分前")
    made = await contacts.confirm(incident["id"], {"kind": "visitor", "ref": pick.ref}, OFFICE, DAY)
    end = made.row["end_on"]
    await follow_ups.add_follow_up(
        new_entry_id(), made.row["id"], {"temperature": "36.6"}, OFFICE, DAY + dt.timedelta(1)
    )

    async def state_on(day):
        rows = await contacts.contacts_of(incident["id"], day)
        return next(c["state"] for c in rows if c["id"] == made.row["id"])

    assert await state_on(end - dt.timedelta(days=1)) == "observation"
    assert await state_on(end) == "ended"  # no follow-up on the last days, ended all the same
    assert made.row["id"] in {c["id"] for c in await contacts.under_watch(end - dt.timedelta(1))}
    assert made.row["id"] not in {c["id"] for c in await contacts.under_watch(end)}
    with pytest.raises(Invalid):
        await follow_ups.add_follow_up(
            new_entry_id(), made.row["id"], {"note": "晚了"}, OFFICE, end
        )


async def test_release_and_measure_changes_are_idempotent(visitor_case):
    incident = visitor_case["incident"]
    pick = next(s for s in await contacts.suggestions(incident) if s.name == "整三十分后")
    made = await contacts.confirm(incident["id"], {"kind": "visitor", "ref": pick.ref}, OFFICE, DAY)
    cid = made.row["id"]
    assert (await follow_ups.update_contact(cid, {"action": "isolation"}, OFFICE, DAY))[
        "measure"
    ] == "isolation"
    await follow_ups.update_contact(cid, {"action": "isolation"}, OFFICE, DAY)
    later = DAY + dt.timedelta(days=3)
    released = await follow_ups.update_contact(cid, {"action": "release"}, OFFICE, later)
    assert contacts.contact_state(released, later) == "released"
    assert contacts.contact_state(released, later - dt.timedelta(1)) == "isolation"
    with pytest.raises(Invalid):
        await follow_ups.update_contact(cid, {"action": "release"}, OFFICE, later)
    with pytest.raises(Invalid):
        await follow_ups.update_contact(cid, {"action": "bogus"}, OFFICE, DAY)


async def test_a_follow_up_replay_stores_one_entry(visitor_case):
    incident = visitor_case["incident"]
    pick = next(s for s in await contacts.suggestions(incident) if s.kind == "staff")
    made = await contacts.confirm(incident["id"], {"kind": "staff", "ref": pick.ref}, OFFICE, DAY)
    entry = new_entry_id()
    for _ in range(2):
        await follow_ups.add_follow_up(entry, made.row["id"], {"symptoms": "咳嗽"}, OFFICE, DAY)
    with pytest.raises(Invalid):
        await follow_ups.add_follow_up(new_entry_id(), made.row["id"], {}, OFFICE, DAY)
    with pytest.raises(Invalid):
        await follow_ups.add_follow_up(
            new_entry_id(), made.row["id"], {"temperature": "45"}, OFFICE, DAY
        )
    rows = await contacts.contacts_of(incident["id"], DAY)
    assert len(next(c for c in rows if c["id"] == made.row["id"])["follow_ups"]) == 1
