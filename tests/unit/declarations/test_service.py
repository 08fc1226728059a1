"""Declarations, work status and sick absence on the real database: one declaration per
person and day with its history, idempotent submissions, stay home with word to the office
and the head and an incident, the office's clearance, the zero report's counts."""

import asyncio
import datetime as dt

import pytest

from server import clock, demo
from server.accounts.service import create_user
from server.accounts.tables import UserAccount
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid
from server.db import write_transaction
from server.declarations import absences, boards, service, status
from server.declarations.tables import (
    Declaration,
    DeclarationRevision,
    WorkState,
    WorkStatusChange,
)
from server.incidents.tables import Incident
from server.notify import service as notifications
from server.notify.tables import InAppNotification
from server.org.tables import Person
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import DEMO_PASSWORD, reset_database

POLICY = Policy()
STAFF = Actor(username="staff")
OFFICE = Actor(username="office")
NORMAL = {
    "temperature": "36.6",
    "symptoms": [],
    "left_city": "no",
    "outbreak_contact": "no",
    "household_symptoms": "no",
    "work_mode": "on_site",
}


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    departments = await demo.seed_organisation(lambda _: None)
    await demo.seed_users(DEMO_PASSWORD, departments)


async def people_of(department: str) -> list[int]:
    rows = (
        await Person.select(Person.id)
        .where((Person.department.name == department) & (Person.title == ""))
        .order_by(Person.id)
    )
    return [r["id"] for r in rows]


async def head_of(person: int) -> str:
    """A head account for the person's department (the demo has one for 办公室 only): its
    username."""
    row = await Person.select(Person.department).where(Person.id == person).first()
    name = f"head-{row['department']}"
    await create_user(name, DEMO_PASSWORD, "head", department_id=row["department"])
    return name


async def told(person: int, kind: str) -> list[dict]:
    """The in-app notifications about `person` of this kind, with whom each went to."""
    return (
        await InAppNotification.select(
            InAppNotification.user.username.as_alias("who"), *InAppNotification.all_columns()
        )
        .where(
            (InAppNotification.link == f"/health/people/{person}")
            & (InAppNotification.kind == kind)
        )
        .order_by(InAppNotification.user.username)
        .output(load_json=True)
    )


def morning(days_back: int = 0, hour: int = 8) -> dt.datetime:
    start, _ = clock.day_bounds(clock.today() - dt.timedelta(days=days_back))
    return start + dt.timedelta(hours=hour)


async def declare(person, form=None, days_back=0, submission=None, **kw):
    return await service.submit_declaration(
        person,
        {**NORMAL, **(form or {})},
        STAFF,
        POLICY,
        submission_id=submission or new_entry_id(),
        now=kw.pop("now", None) or morning(days_back),
        **kw,
    )


async def test_a_resubmitted_form_stores_nothing_twice():
    person = (await people_of("档案室"))[0]
    submission = new_entry_id()
    first = await declare(person, submission=submission, days_back=1)
    again = await declare(person, submission=submission, days_back=1)
    assert first.created and not again.created
    assert again.declaration["id"] == first.declaration["id"] == submission
    assert await Declaration.count().where(Declaration.person == person) == 1
    assert (
        await DeclarationRevision.count().where(DeclarationRevision.declaration == submission) == 1
    )
    assert [h["action"] for h in await audit.history("declaration", submission)] == ["create"]


async def test_a_second_declaration_the_same_day_amends_the_first_keeping_history():
    person = (await people_of("档案室"))[1]
    first = await declare(person, {"temperature": "36.4"}, days_back=2)
    second = await declare(person, {"temperature": "36.8", "note": "补充"}, days_back=2)
    assert second.amended and second.declaration["id"] == first.declaration["id"]
    assert second.declaration["version"] == 2 and second.declaration["temperature"] == 36.8
    assert second.declaration["submitted_at"] == first.declaration["submitted_at"]
    history = (await service.recent(person))[0]
    assert [r["answers"]["temperature"] for r in history["revisions"]] == [36.4, 36.8]
    trail = await audit.history("declaration", first.declaration["id"])
    assert [h["action"] for h in trail] == ["create", "amend"]
    assert trail[1]["before"]["temperature"] == 36.4


async def test_a_risk_answer_sends_the_person_home_alerts_and_raises_an_incident():
    person = (await people_of("政工室"))[0]
    head = await head_of(person)
    submitted = await declare(person, {"symptoms": ["cough"]})
    assert submitted.state == WorkState.stay_home and submitted.new_risks == ["symptoms"]
    assert (await status.state_of(person))["state"] == WorkState.stay_home
    change = (await status.history(person))[0]
    assert (change["from_state"], change["to_state"], change["cause"]) == (
        "on_duty",
        "stay_home",
        "declaration",
    )
    sent = await told(person, "stay_home")
    assert [n["who"] for n in sent] == sorted([head, "leader", "office"])
    assert all(n["urgent"] and n["params"]["risks"] == ["symptoms"] for n in sent)
    incident = (
        await Incident.select()
        .where(Incident.source_id == str(submitted.declaration["id"]))
        .first()
    )
    assert incident["source"] == "declaration"

    # Declaring normal again (an amendment) does not bring them back, nor alert again.
    again = await declare(person, {"note": "好了"})
    assert again.state == WorkState.stay_home and again.new_risks == []
    assert len(await told(person, "stay_home")) == 3


async def test_only_a_new_risk_in_an_amendment_counts():
    person = (await people_of("政工室"))[1]
    await declare(person, {"left_city": "yes", "left_city_where": "济南"}, days_back=1)
    await status.clear_to_work(person, "济南为低风险地区", OFFICE)
    unchanged = await declare(
        person, {"left_city": "yes", "left_city_where": "济南", "note": "补充"}, days_back=1
    )
    assert unchanged.state == WorkState.on_duty
    worse = await declare(
        person,
        {"left_city": "yes", "left_city_where": "济南", "household_symptoms": "yes"},
        days_back=1,
    )
    assert worse.new_risks == ["household_symptoms"] and worse.state == WorkState.stay_home


async def test_only_the_office_note_clears_and_every_change_is_kept():
    person = (await people_of("政策法规室"))[0]
    head = await head_of(person)
    await declare(person, {"temperature": "37.6"})
    with pytest.raises(Invalid):
        await status.clear_to_work(person, "  ", OFFICE)
    change = await status.clear_to_work(person, "复测正常，可返岗", OFFICE)
    assert change["to_state"] == "on_duty" and change["changed_by"] == "office"
    assert await status.clear_to_work(person, "again", OFFICE) is None
    states = [(c["from_state"], c["to_state"]) for c in await status.history(person)]
    assert states == [("stay_home", "on_duty"), ("on_duty", "stay_home")]
    assert [n["who"] for n in await told(person, "cleared")] == [head]  # not the office


async def test_concurrent_submissions_the_same_day_make_one_declaration():
    person = (await people_of("党建工作室"))[0]
    results = await asyncio.gather(*(declare(person, {"temperature": f"36.{n}"}) for n in range(4)))
    ids = {r.declaration["id"] for r in results}
    assert len(ids) == 1
    assert await Declaration.count().where(Declaration.person == person) == 1
    stored = await Declaration.select().where(Declaration.person == person).first()
    assert stored["version"] == 4
    assert (
        await DeclarationRevision.count().where(DeclarationRevision.declaration == ids.pop()) == 4
    )


async def test_a_declaration_id_of_another_day_is_refused():
    person = (await people_of("党建工作室"))[1]
    first = await declare(person, days_back=3)
    with pytest.raises(service.WrongDay):
        await declare(person, days_back=2, declaration_id=first.declaration["id"])


async def test_fatigue_flags_are_stored_with_the_declaration():
    person = (await people_of("后勤中心"))[0]
    for back in range(6, 0, -1):
        sent = morning(back) + dt.timedelta(seconds=back)
        submitted = await declare(person, {"temperature": "36.5"}, now=sent)
    assert submitted.declaration["flags"] == ""  # six days so far
    today = await declare(person, {"temperature": "36.5"})
    assert today.declaration["flags"] == "same_temperature"


async def test_sick_absence_from_registration_to_return():
    person = (await people_of("投资建设审批服务组"))[0]
    since = clock.today() - dt.timedelta(days=4)
    form = {"since": since.isoformat(), "symptoms": "发热", "saw_doctor": "yes"}
    entry = new_entry_id()
    absence = await absences.register_absence(person, form, STAFF, entry_id=entry)
    assert await absences.register_absence(person, form, STAFF, entry_id=entry) == absence
    with pytest.raises(Invalid):  # one open absence at a time
        await absences.register_absence(person, form, STAFF, entry_id=new_entry_id())
    assert (await status.state_of(person))["state"] == WorkState.sick_absent

    note = new_entry_id()
    await absences.add_follow_up(absence["id"], {"note": "已就医"}, STAFF, POLICY, entry_id=note)
    await absences.add_follow_up(absence["id"], {"note": "已就医"}, STAFF, POLICY, entry_id=note)
    later = {"note": "好转", "temperature": "37.0"}
    await absences.add_follow_up(absence["id"], later, STAFF, POLICY, entry_id=new_entry_id())
    listed = next(a for a in await absences.open_absences() if a["person"] == person)
    assert listed["days"] == 5 and len(listed["follow_ups"]) == 2
    assert listed["last_follow_up"]["note"] == "好转"

    await status.clear_to_work(person, "痊愈", OFFICE)
    closed = await absences.absence(absence["id"])
    assert closed["returned_on"] == clock.today() and closed["clearance_note"] == "痊愈"
    assert all(a["person"] != person for a in await absences.open_absences())
    with pytest.raises(Invalid):
        await absences.add_follow_up(
            absence["id"], {"note": "x"}, STAFF, POLICY, entry_id=new_entry_id()
        )


async def test_open_absences_oldest_first():
    a, b = (await people_of("市场准入审批服务组"))[:2]
    for person, back in ((a, 1), (b, 6)):
        since = (clock.today() - dt.timedelta(days=back)).isoformat()
        form = {"since": since, "symptoms": "咳嗽", "saw_doctor": "no"}
        await absences.register_absence(person, form, STAFF, entry_id=new_entry_id())
    order = [r["person"] for r in await absences.open_absences() if r["person"] in (a, b)]
    assert order == [b, a]


async def test_word_reaches_the_office_and_only_the_person_s_own_head():
    person = (await people_of("社会事务审批服务组"))[0]
    head = await head_of(person)
    other = await head_of((await people_of("办公室"))[0])
    accounts = await UserAccount.select(UserAccount.id, UserAccount.username)
    ids = {a["username"]: a["id"] for a in accounts}
    before = {name: await notifications.unread_count(ids[name]) for name in ("office", other)}
    await declare(person, {"outbreak_contact": "yes"})
    told = 2  # the stay-home and the incident it raised
    assert await notifications.unread_count(ids["office"]) == before["office"] + told
    assert await notifications.unread_count(ids[head]) == told
    assert await notifications.unread_count(ids[other]) == before[other]
    assert await notifications.mark_read(ids[head]) == told
    assert await notifications.unread_count(ids[head]) == 0
    assert await notifications.unread_count(ids["office"]) == before["office"] + told


async def test_daily_counts_per_department_and_day():
    department = "农业事务审批服务组"
    people = await people_of(department)
    row = await Person.select(Person.department).where(Person.id == people[0]).first()
    yesterday = clock.today() - dt.timedelta(days=1)
    await declare(people[0], {"work_mode": "on_site"}, days_back=1)
    await declare(people[1], {"work_mode": "from_home"}, days_back=1)
    await declare(people[2], {"work_mode": "leave"}, days_back=1)
    # Sent home by a fever today: at home today, still on site yesterday.
    await declare(people[0], {"temperature": "38.1"})
    counts = (await boards.daily_counts(clock.today()))[row["department"]]
    past = (await boards.daily_counts(yesterday))[row["department"]]
    assert past == {
        "staff": 5,
        "on_site": 1,
        "at_home": 1,
        "on_leave": 1,
        "fever": 0,
        "stay_home": 0,
        "not_declared": 2,
    }
    assert counts["stay_home"] == 1 and counts["fever"] == 1 and counts["at_home"] == 1
    assert counts["on_site"] == 0 and counts["not_declared"] == 4


async def test_not_declared_counts_only_those_the_board_shows_as_due_or_missing():
    """The dashboard's "not declared" (these counts) and the office's board (/health) agree:
    someone absent sick or told to stay home is shown as such on the board, not as missing."""
    people = [
        p
        for p in await people_of("市场准入审批服务组")
        if await service.declaration_on(p, clock.today()) is None
        and (await status.state_of(p))["state"] == WorkState.on_duty
    ]
    row = await Person.select(Person.department).where(Person.id == people[0]).first()
    before = (await boards.daily_counts(clock.today()))[row["department"]]
    async with write_transaction():
        await status.change_state(people[0], WorkState.sick_absent, "sick_absence", OFFICE)
        await status.change_state(people[1], WorkState.stay_home, "declaration", OFFICE)
    after = (await boards.daily_counts(clock.today()))[row["department"]]
    assert after["not_declared"] == before["not_declared"] - 2


async def test_the_board_gives_each_person_one_state():
    people = await people_of("办公室")
    now = morning(hour=10)
    await declare(people[0], now=now - dt.timedelta(hours=2))
    rows = await boards.board(now, POLICY, department=None)
    mine = {r["id"]: r["state"] for r in rows if r["id"] in people}
    assert mine[people[0]] == "declared"
    assert {mine[p] for p in people[1:]} == {"missing"}
    early = await boards.board(morning(hour=7), POLICY)
    assert {r["state"] for r in early if r["id"] in people[1:]} == {"due"}
    assert len({r["id"] for r in rows}) == len(rows)
    assert await WorkStatusChange.count() >= 1
