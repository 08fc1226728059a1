"""The daily zero report on the real database with a controlled clock: due, late (迟报) and
missed (漏报); a nil report is a report; amendments keep versions and never make a second
report; a replayed form stores nothing; not applicable; the 瞒报 check against the records;
two rounds on an emergency day; the counts a head may submit."""

import datetime as dt
import uuid

import pytest

from server import clock, demo
from server.audit.service import Actor
from server.checks import service as checks
from server.checks.rules import Invalid
from server.declarations.service import submit_declaration
from server.emergency.tables import EmergencySwitch
from server.incidents.service import add_step
from server.incidents.tables import Incident, StepKind
from server.org.tables import Department, Person
from server.policy.service import Policy
from server.reports import district, records, rules, service
from server.reports.tables import ReportRound, ZeroReport, ZeroReportVersion
from sync.ids import new_entry_id
from tests.support import reset_database

POLICY = Policy()
HEAD = Actor(username="head")
OFFICE = Actor(username="office")
DESK = Actor(username="desk")
DAY = dt.date(2026, 3, 9)
ZEROS = dict.fromkeys(
    ("on_site", "at_home", "on_leave", "fever", "suspected", "close_contacts"), "0"
)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    start, _ = clock.day_bounds(day)
    return start + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    return await demo.seed_organisation(lambda _: None)


async def department_id(name: str) -> int:
    return (await Department.select(Department.id).where(Department.name == name).first())["id"]


async def size_of(department: int) -> int:
    return await Person.count().where(
        (Person.department == department) & (Person.active == True)  # noqa: E712
    )


def row_of(rows, department, round_="am"):
    return next(r for r in rows if r["department"] == department and r["round"] == round_)


def test_slot_states_around_the_deadline_and_the_days_end():
    am = ReportRound.am
    assert rules.slot_state(None, DAY, am, at(9, 59), POLICY) == "due"
    assert rules.slot_state(None, DAY, am, at(10, 1), POLICY) == "late"
    assert rules.slot_state(None, DAY, am, at(24), POLICY) == "missed"
    report = {"kind": "submitted", "first_submitted_at": at(9, 30)}
    # Judged on the first submission: on time stays on time, whenever asked.
    assert rules.slot_state(report, DAY, am, at(23), POLICY) == "on_time"
    report["first_submitted_at"] = at(10, 30)
    assert rules.slot_state(report, DAY, am, at(11), POLICY) == "late"
    report["first_submitted_at"] = at(25)  # filed the next morning: it was missed
    assert rules.slot_state(report, DAY, am, at(26), POLICY) == "missed"
    assert rules.slot_state({"kind": "not_applicable"}, DAY, am, at(26), POLICY) == (
        "not_applicable"
    )
    assert rules.deadline(DAY, ReportRound.pm, POLICY) == at(16)


async def test_nil_report_is_neither_missing_nor_not_applicable():
    office = await department_id("办公室")
    archive = await department_id("档案室")
    await service.submit(new_entry_id(), office, DAY, "am", ZEROS, HEAD, now=at(9))
    await service.mark_not_applicable(new_entry_id(), archive, DAY, "am", "全员外出培训", OFFICE)
    rows = await service.day_status(DAY, at(24, 30), POLICY)
    nil, not_applicable = row_of(rows, office), row_of(rows, archive)
    assert (nil["state"], nil["nil"]) == ("on_time", True)
    assert (not_applicable["state"], not_applicable["nil"]) == ("not_applicable", False)
    others = [r for r in rows if r["department"] not in (office, archive)]
    assert others and {r["state"] for r in others} == {"missed"}
    assert all(r["report"] is None for r in others)
    missed = service.in_state(rows, "missed")
    assert {r["department"] for r in missed} == {r["department"] for r in others}


async def test_amendment_keeps_history_and_a_replay_stores_nothing():
    policy_day = DAY + dt.timedelta(days=1)
    office = await department_id("政工室")
    first_id = new_entry_id()
    first = await service.submit(
        first_id,
        office,
        policy_day,
        "am",
        {**ZEROS, "on_site": "3"},
        HEAD,
        now=at(9, 0, policy_day),
    )
    again = await service.submit(
        first_id,
        office,
        policy_day,
        "am",
        {**ZEROS, "on_site": "1"},
        HEAD,
        now=at(9, 5, policy_day),
    )
    assert first.created and not again.created and again.report["on_site"] == 3
    amended = await service.submit(
        new_entry_id(),
        office,
        policy_day,
        "am",
        {**ZEROS, "on_site": "2"},
        HEAD,
        now=at(11, 0, policy_day),
    )
    assert amended.amended and amended.report["version"] == 2 and amended.report["on_site"] == 2
    assert await ZeroReport.count().where(ZeroReport.department == office) == 1
    history = await service.versions(amended.report["id"])
    assert [(v["version"], v["on_site"]) for v in history] == [(1, 3), (2, 2)]
    # The amendment after the deadline does not make the report late.
    rows = await service.day_status(policy_day, at(12, 0, policy_day), POLICY)
    assert row_of(rows, office)["state"] == "on_time"
    with pytest.raises(Invalid):  # the same form cannot be sent for another day's report
        await service.submit(first_id, office, DAY, "am", ZEROS, HEAD, now=at(9))


async def test_late_until_filed_and_filed_late_stays_late():
    day = DAY + dt.timedelta(days=2)
    unit = await department_id("政策法规室")
    rows = await service.day_status(day, at(11, 0, day), POLICY)
    assert row_of(rows, unit)["state"] == "late" and row_of(rows, unit)["report"] is None
    await service.submit(new_entry_id(), unit, day, "am", ZEROS, HEAD, now=at(11, 30, day))
    rows = await service.day_status(day, at(23, 0, day), POLICY)
    assert row_of(rows, unit)["state"] == "late" and row_of(rows, unit)["report"] is not None


async def test_counts_a_head_may_submit():
    unit = await department_id("党建工作室")
    size = await size_of(unit)
    cases = {
        "on_site": "-1",
        "at_home": str(size + 1),
        "on_leave": "",
        "fever": "1.5",
        "suspected": "两",
    }
    with pytest.raises(Invalid) as refused:
        await service.submit(new_entry_id(), unit, DAY, "am", {**ZEROS, **cases}, HEAD)
    assert {p.field for p in refused.value.problems} == set(cases)
    too_many = {**ZEROS, "on_site": str(size), "on_leave": "1"}
    with pytest.raises(Invalid) as refused:
        await service.submit(new_entry_id(), unit, DAY, "am", too_many, HEAD)
    assert refused.value.problems[0].params == {"size": size}
    with pytest.raises(Invalid):
        await service.mark_not_applicable(new_entry_id(), unit, DAY, "am", "  ", OFFICE)
    assert await ZeroReport.count().where(ZeroReport.department == unit) == 0


STEP_DETAILS = {
    StepKind.reported_district: {"called": "区疾控中心", "number": "0632-3311234"},
    StepKind.transferred: {"by_whom": "120", "to_where": "区人民医院发热门诊"},
    StepKind.cleared: {"reason": "省内出差，无症状"},
    StepKind.closed: {},
}


async def office_judges(source_id: str, kind: StepKind, when: dt.datetime) -> None:
    """The office's step on the incident the record `source_id` raised."""
    found = await Incident.select(Incident.id).where(Incident.source_id == source_id).first()
    await add_step(found["id"], kind, STEP_DETAILS[kind], when, OFFICE)


async def test_counts_below_the_records_are_flagged():
    day = DAY + dt.timedelta(days=3)
    unit = await department_id("后勤中心")
    people = await Person.select(Person.id).where(Person.department == unit)
    feverish, held = people[0]["id"], people[1]["id"]
    await checks.record_staff_check(
        new_entry_id(), {"person": str(feverish), "direction": "arrival", "temperature": "38.2"},
        DESK, POLICY, now=at(8, 0, day),
    )  # fmt: skip
    check = await checks.record_staff_check(
        new_entry_id(), {"person": str(held), "direction": "arrival", "temperature": "38.4"},
        DESK, POLICY, now=at(8, 5, day),
    )  # fmt: skip
    await checks.remeasure_staff(check.check["id"], "38.6", DESK, POLICY)  # a hold: an incident
    recorded = (await records.recorded_counts(day, "am", POLICY, at(9, 0, day)))[unit]
    assert (recorded["fever"], recorded["suspected"], recorded["pending_review"]) == (2, 0, 1)
    await service.submit(new_entry_id(), unit, day, "am", ZEROS, HEAD, now=at(9, 0, day))
    report = await district.day_report(day, at(9, 30, day), POLICY)
    assert row_of(report["rows"], unit)["mismatch"] == ["fever"]
    # The office reports the held man to the district: now he is a suspected case.
    await office_judges(str(check.check["id"]), StepKind.reported_district, at(8, 30, day))
    report = await district.day_report(day, at(9, 30, day), POLICY)
    assert row_of(report["rows"], unit)["mismatch"] == ["fever", "suspected"]
    assert report["totals"]["am"]["mismatch"] == 1
    honest = {**ZEROS, "fever": "2", "suspected": "1", "on_site": "2"}
    await service.submit(new_entry_id(), unit, day, "am", honest, HEAD, now=at(9, 40, day))
    report = await district.day_report(day, at(9, 45, day), POLICY)
    assert row_of(report["rows"], unit)["mismatch"] == []
    assert report["totals"]["am"]["fever"] == 2


async def test_a_risky_declaration_is_suspected_only_once_the_office_judges_it_so():
    """Travel or a household member's symptoms send a person home and raise an incident; the
    office then judges it. Until then it awaits the office's judgement beside the report (no
    瞒报 for a head who reports 0 suspected); cleared (and closed) it counts nowhere; reported
    to the district or transferred, it is a suspected case."""
    day = DAY + dt.timedelta(days=8)
    unit = await department_id("市场准入审批服务组")
    people = await Person.select(Person.id).where(Person.department == unit).order_by(Person.id)
    answers = {
        "temperature": "36.5", "symptoms": [], "left_city": "no", "outbreak_contact": "no",
        "household_symptoms": "yes", "work_mode": "from_home",
    }  # fmt: skip
    declared = []
    for n, person in enumerate(people[:3]):
        submitted = await submit_declaration(
            person["id"], answers, HEAD, POLICY, submission_id=new_entry_id(),
            now=at(7, n, day),
        )  # fmt: skip
        declared.append(str(submitted.declaration["id"]))

    def judged(recorded):
        return recorded[unit]["suspected"], recorded[unit]["pending_review"]

    assert judged(await records.recorded_counts(day, "am", POLICY, at(8, 0, day))) == (0, 3)
    await service.submit(
        new_entry_id(), unit, day, "am", {**ZEROS, "at_home": "3"}, HEAD, now=at(8, 0, day)
    )
    report = await district.day_report(day, at(8, 30, day), POLICY)
    assert row_of(report["rows"], unit)["mismatch"] == []
    assert report["totals"]["am"]["pending_review"] == 3
    await office_judges(declared[0], StepKind.cleared, at(8, 40, day))
    await office_judges(declared[0], StepKind.closed, at(8, 45, day))
    await office_judges(declared[1], StepKind.transferred, at(8, 50, day))
    await office_judges(declared[2], StepKind.reported_district, at(8, 55, day))
    assert judged(await records.recorded_counts(day, "am", POLICY, at(9, 0, day))) == (2, 0)
    report = await district.day_report(day, at(9, 0, day), POLICY)
    assert row_of(report["rows"], unit)["mismatch"] == ["suspected"]


async def test_a_past_report_is_judged_by_the_threshold_in_force_that_day():
    """37.1 °C was no fever when it was declared or measured (37.3); the office lowering the
    threshold to 37.0 afterwards turns neither the records nor the head's report into 瞒报."""
    day = DAY + dt.timedelta(days=7)
    unit = await department_id("投资建设审批服务组")
    people = await Person.select(Person.id).where(Person.department == unit).order_by(Person.id)
    declarer, measured = people[0]["id"], people[1]["id"]
    answers = {
        "temperature": "37.1", "symptoms": [], "left_city": "no", "outbreak_contact": "no",
        "household_symptoms": "no", "work_mode": "on_site",
    }  # fmt: skip
    await submit_declaration(
        declarer, answers, HEAD, POLICY, submission_id=new_entry_id(), now=at(8, 0, day)
    )
    await checks.record_staff_check(
        new_entry_id(), {"person": str(measured), "direction": "arrival", "temperature": "37.2"},
        DESK, POLICY, now=at(8, 10, day),
    )  # fmt: skip
    await service.submit(
        new_entry_id(), unit, day, "am", {**ZEROS, "on_site": "1"}, HEAD, now=at(9, 0, day)
    )
    lowered = Policy(fever_threshold=37.0)
    report = await district.day_report(day, at(12, 0, day + dt.timedelta(days=1)), lowered)
    row = row_of(report["rows"], unit)
    assert row["recorded"]["fever"] == 0 and row["mismatch"] == []
    # Declared once the threshold was lowered, the same reading is a fever.
    await submit_declaration(
        people[2]["id"], answers, HEAD, lowered, submission_id=new_entry_id(), now=at(9, 30, day)
    )
    recorded = await records.recorded_counts(day, "am", lowered, at(10, 0, day))
    assert recorded[unit]["fever"] == 1


async def test_an_emergency_day_has_two_rounds():
    day = DAY + dt.timedelta(days=5)
    await EmergencySwitch.insert(
        EmergencySwitch(active=True, reason="演练", by="leader", at=at(13, 0, day)),
        EmergencySwitch(
            active=False, reason="", by="leader", at=at(10, 0, day + dt.timedelta(days=2))
        ),
    )
    assert await service.rounds_of(day - dt.timedelta(days=1)) == ["am"]
    assert await service.rounds_of(day) == ["am", "pm"]
    assert await service.rounds_of(day + dt.timedelta(days=1)) == ["am", "pm"]
    assert await service.rounds_of(day + dt.timedelta(days=3)) == ["am"]
    unit = await department_id("办公室")
    rows = await service.day_status(day, at(15, 0, day), POLICY)
    assert row_of(rows, unit, "pm")["state"] == "due"
    assert row_of(rows, unit, "am")["state"] == "late"
    await service.submit(new_entry_id(), unit, day, "pm", ZEROS, HEAD, now=at(15, 30, day))
    rows = await service.day_status(day, at(17, 0, day), POLICY)
    assert row_of(rows, unit, "pm")["state"] == "on_time"
    reminders = await service.reminders_for(unit, at(17, 0, day))
    assert [r["round"] for r in reminders] == ["am"]


async def test_every_submission_is_one_version_row():
    total = await ZeroReportVersion.count()
    reports = await ZeroReport.select(ZeroReport.version)
    assert total == sum(r["version"] for r in reports)
    assert all(isinstance(r["version"], int) for r in reports)
    assert uuid.UUID(str((await ZeroReportVersion.select().first())["id"]))


async def test_confirmed_staff_contacts_under_watch_are_the_records_close_contacts():
    from server.incidents import contacts
    from server.incidents.service import raise_incident

    unit = await department_id("档案室")
    people = await Person.select(Person.id).where(Person.department == unit).limit(2)
    day = DAY + dt.timedelta(days=20)
    incident = await raise_incident("manual", None, "密接测试", "", "", at(9, 0, day), OFFICE)
    for person in people:
        form = {"kind": "staff", "ref": str(person["id"]), "start_on": day.isoformat()}
        await contacts.confirm(incident, form, OFFICE, day)
        await contacts.confirm(incident, form, OFFICE, day)  # confirmed twice: one contact
    assert (await records.contacts_by_department(day)).get(unit) == len(people)
    counted = await records.recorded_counts(day, "am", POLICY, at(9, 30, day))
    assert counted[unit]["close_contacts"] == len(people)
    # Fourteen days on, the observation has ended by itself.
    assert unit not in await records.contacts_by_department(day + dt.timedelta(days=14))


async def test_the_demos_reports_of_today_are_not_submitted_before_their_time(monkeypatch):
    """seed-demo early in the morning: today's reports are still to come, not stamped later
    in the day; the others were submitted by the demo's head login."""
    for table in (ZeroReportVersion, ZeroReport):
        await table.delete(force=True)
    early = at(2, 0, clock.today())
    monkeypatch.setattr(clock, "now", lambda: early)
    await demo.seed_zero_reports(1)
    reports = await ZeroReport.select(
        ZeroReport.day, ZeroReport.submitted_at, ZeroReport.submitted_by
    )
    assert reports and all(r["submitted_at"] <= early for r in reports)
    assert {r["day"] for r in reports} == {clock.today() - dt.timedelta(days=1)}
    assert {r["submitted_by"] for r in reports} == {"head"}  # no such login here: its name


async def test_a_staff_contacts_abnormal_follow_up_is_judged_like_any_other_case(monkeypatch):
    """The follow-up raises the contact's own incident: it awaits the office's judgement in
    the contact's department, then counts there as suspected, 瞒报 for a head who reports 0."""
    from server.incidents import contacts, follow_ups
    from server.incidents.service import raise_incident

    day = DAY + dt.timedelta(days=22)
    unit = await department_id("社会事务审批服务组")
    person = await Person.select(Person.id).where(Person.department == unit).first()
    case = await raise_incident("manual", None, "随访来源", "", "", at(7, 0, day), OFFICE)
    form = {"kind": "staff", "ref": str(person["id"]), "start_on": day.isoformat()}
    contact = (await contacts.confirm(case, form, OFFICE, day)).row
    monkeypatch.setattr(clock, "now", lambda: at(8, 0, day))
    followed = await follow_ups.add_follow_up(
        new_entry_id(), contact["id"], {"temperature": "38.2"}, OFFICE, day
    )
    recorded = (await records.recorded_counts(day, "am", POLICY, at(9, 0, day)))[unit]
    assert (recorded["suspected"], recorded["pending_review"]) == (0, 1)
    await office_judges(str(followed.row["id"]), StepKind.reported_district, at(8, 5, day))
    recorded = (await records.recorded_counts(day, "am", POLICY, at(9, 0, day)))[unit]
    assert (recorded["suspected"], recorded["pending_review"]) == (1, 0)
    typed = {name: str(recorded[name]) for name in ZEROS} | {"suspected": "0"}
    await service.submit(new_entry_id(), unit, day, "am", typed, HEAD, now=at(9, 0, day))
    report = await district.day_report(day, at(9, 30, day), POLICY)
    assert row_of(report["rows"], unit)["mismatch"] == ["suspected"]


async def test_the_demos_declarations_keep_the_threshold_set_when_seeded():
    """Seeded under a threshold of 36.5, the demo's ordinary declarations (36.1–36.9 °C) are
    judged by it, as submitted ones are, not by the column's default of 37.3."""
    from server.declarations.demo_data import seed_declarations
    from server.declarations.tables import Declaration
    from server.policy.service import store_setting

    await store_setting("fever_threshold", 36.5)
    try:
        await seed_declarations(2, lambda _: None)
    finally:
        await store_setting("fever_threshold", POLICY.fever_threshold)
    days = [clock.today() - dt.timedelta(days=1), clock.today()]
    seeded = await Declaration.select(Declaration.fever_threshold).where(
        Declaration.day.is_in(days)
    )
    assert seeded and {d["fever_threshold"] for d in seeded} == {36.5}
