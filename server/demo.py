"""`hallwatch seed-demo`: the plan's organisation, the demo logins and a few days of checks.

Every row has a fixed identity (names, or UUIDs derived from the demo's own keys), so seeding
twice stores nothing twice."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable

from server import clock
from server.accounts.service import create_user
from server.audit import service as audit
from server.audit.service import SYSTEM, Actor
from server.checks.rules import ID_CHECK_CHARS, ID_WEIGHTS, first_reading_status, remeasure_status
from server.checks.tables import StaffCheck, VisitorCheck
from server.db import write_transaction
from server.demo_roster import (
    DEMO_USERS,
    DEPARTMENTS,
    GIVEN,
    GROUP_WINDOWS,
    LEADING_GROUP,
    RESIDENT_UNITS,
    SURNAMES,
)
from server.org.tables import Department, DepartmentKind, Person, Window
from server.policy.service import load_policy

DEMO_NAMESPACE = uuid.UUID("5b0b7c1e-2f43-4c41-9a57-2020001400a1")
STAFF_PER_DEPARTMENT = 4
VISITORS_PER_DAY = 40


async def _department(name: str, kind: str, position: int) -> int:
    row = await Department.select(Department.id).where(Department.name == name).first()
    if row:
        return row["id"]
    rows = await Department.insert(Department(name=name, kind=kind, position=position)).returning(
        Department.id
    )
    return rows[0]["id"]


async def _person(
    name: str, department_id: int | None, title: str = "", group_role: str = ""
) -> int:
    row = (
        await Person.select(Person.id)
        .where(
            (Person.name == name) & (Person.department == department_id)
            if department_id
            else (Person.name == name) & Person.department.is_null()
        )
        .first()
    )
    if row:
        return row["id"]
    person = Person(
        name=name,
        department=department_id,
        title=title,
        group_role=group_role,
        phone=_mobile(random.Random(name)),
    )
    return (await Person.insert(person).returning(Person.id))[0]["id"]


async def _window(code: str, name: str, department_id: int) -> None:
    await Window.insert(Window(code=code, name=name, department=department_id)).on_conflict(
        target=Window.code, action="DO NOTHING"
    )


def _mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
    body = "370402" + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return (
        body + ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
    )


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


async def seed_organisation(progress: Callable[[str], None]) -> dict[str, int]:
    """Departments, resident units, windows, the leading group and some staff per department.
    Returns department ids by name."""
    ids: dict[str, int] = {}
    async with write_transaction():
        for position, name in enumerate(DEPARTMENTS):
            ids[name] = await _department(name, DepartmentKind.department, position)
        for offset, (unit, unit_windows) in enumerate(RESIDENT_UNITS.items()):
            ids[unit] = await _department(unit, DepartmentKind.resident_unit, 100 + offset)
            for code, window in unit_windows:
                await _window(code, window, ids[unit])
        for department, group_windows in GROUP_WINDOWS.items():
            for code, window in group_windows:
                await _window(code, window, ids[department])
        for name, title, department, role in LEADING_GROUP:
            await _person(name, ids.get(department) if department else None, title, role)
        rng = random.Random(2020_14)
        for name, department_id in ids.items():
            for _ in range(STAFF_PER_DEPARTMENT):
                await _person(_name(rng), department_id)
            progress(name)
        await audit.record(SYSTEM, "seed", "organisation", "demo", None, {"departments": len(ids)})
    return ids


async def seed_users(password: str, departments: dict[str, int]) -> None:
    for login, role, person_name, department in DEMO_USERS:
        person = (
            await Person.select(Person.id).where(Person.name == person_name).first()
            if person_name
            else None
        )
        await create_user(
            login,
            password,
            role,
            display_name=person_name or login,
            person_id=person["id"] if person else None,
            department_id=departments.get(department) if department else None,
        )


async def seed_checks(days: int, progress: Callable[[str], None]) -> int:
    """`days` days of visitor and staff checks up to today, with a few abnormal readings;
    returns how many new rows were stored."""
    policy = await load_policy()
    windows = await Window.select(Window.id, Window.code, Window.name)
    staff = await Person.select(Person.id).where(Person.department.is_not_null())
    desk = await _desk_user_id()
    stored = 0
    for back in range(days - 1, -1, -1):
        day = clock.today() - dt.timedelta(days=back)
        rng = random.Random(day.toordinal())
        start, _ = clock.day_bounds(day)
        opening = start + dt.timedelta(hours=8, minutes=30)
        latest = clock.now() if back == 0 else start + dt.timedelta(hours=17)
        rows: list = []
        for n in range(VISITORS_PER_DAY):
            at = opening + dt.timedelta(minutes=rng.randrange(8 * 60))
            if at > latest:
                continue
            rows.append(_visitor(rng, day, n, at, windows, policy, desk))
        for person in staff:
            for direction, hour in (("arrival", 8), ("leaving", 17)):
                at = start + dt.timedelta(hours=hour, minutes=rng.randrange(30))
                if at <= latest:
                    rows.append(_staff(rng, day, person["id"], direction, at, policy, desk))
        stored += await _insert_new(rows)
        progress(day.isoformat())
    return stored


async def _desk_user_id() -> int | None:
    from server.accounts.tables import UserAccount

    row = await UserAccount.select(UserAccount.id).where(UserAccount.username == "desk").first()
    return row["id"] if row else None


def _reading(rng: random.Random) -> float:
    return round(rng.choice([36.2, 36.4, 36.5, 36.6, 36.7, 36.8, 36.9]) + rng.random() * 0.2, 1)


def _visitor(rng, day, n, at, windows, policy, desk) -> VisitorCheck:
    window = rng.choice(windows)
    temperature = _reading(rng) if rng.random() > 0.05 else round(37.3 + rng.random(), 1)
    symptoms = ["cough"] if rng.random() < 0.05 else []
    travel = rng.random() < 0.05
    status = first_reading_status(temperature, symptoms, travel, policy)
    remeasure = None
    if status == "remeasure":
        remeasure = temperature if rng.random() < 0.2 else _reading(rng)
        status = remeasure_status(remeasure, policy)
    return VisitorCheck(
        id=uuid.uuid5(DEMO_NAMESPACE, f"visitor/{day}/{n}"),
        name=_name(rng),
        phone=_mobile(rng),
        id_number=_id_number(rng) if rng.random() < 0.5 else "",
        purpose=f"{window['code']} {window['name']}",
        window=window["id"],
        temperature=temperature,
        remeasure_temperature=remeasure,
        symptoms=",".join(symptoms),
        travel_or_contact=travel,
        status=status,
        time_in=at,
        time_out=at + dt.timedelta(minutes=rng.randrange(10, 60)),
        recorded_by=desk,
    )


def _staff(rng, day, person_id, direction, at, policy, desk) -> StaffCheck:
    temperature = _reading(rng)
    return StaffCheck(
        id=uuid.uuid5(DEMO_NAMESPACE, f"staff/{day}/{person_id}/{direction}"),
        person=person_id,
        direction=direction,
        temperature=temperature,
        status=first_reading_status(temperature, [], False, policy),
        taken_at=at,
        recorded_by=desk,
    )


async def _insert_new(rows: list) -> int:
    """Insert the rows whose ids are not stored yet, in one transaction."""
    stored = 0
    async with write_transaction():
        for table in (VisitorCheck, StaffCheck):
            mine = [r for r in rows if isinstance(r, table)]
            if not mine:
                continue
            known = {
                r["id"]
                for r in await table.select(table.id).where(table.id.is_in([r.id for r in mine]))
            }
            new = [r for r in mine if r.id not in known]
            if new:
                await table.insert(*new)
            stored += len(new)
    return stored


# Supplies: name, unit, low-stock level, bought ten days ago, issued each day of the last week.
DEMO_SUPPLIES = [
    ("医用外科口罩", "只", 500, 3000, 180),
    ("N95口罩", "只", 100, 200, 20),
    ("84消毒液", "瓶", 10, 40, 5),
    ("75%酒精", "瓶", 10, 30, 3),
    ("一次性手套", "副", 200, 1000, 60),
    ("红外额温枪", "支", 2, 6, 0),
]
# Notices: kind, title, Markdown, to staff, to the public.
DEMO_NOTICES = [
    ("notice", "关于进入政务大厅须测温登记的通告",
     "进入大厅请**配合测温、登记**，全程佩戴口罩。", False, True),
    ("tip", "今日健康提示",
     "- 勤洗手、常通风\n- 保持一米以上距离\n- 咳嗽、打喷嚏时遮掩口鼻", True, True),
    ("clinic", "发热门诊就医指南",
     "**区人民医院发热门诊**（24小时）\n\n请佩戴口罩，避免乘坐公共交通前往。", True, True),
    ("notice", "关于做好每日健康申报的通知",
     "请全体干部职工每天**九点前**完成健康申报。", True, False),
]  # fmt: skip


async def seed_operations() -> None:
    """A week of supplies, the hall's notices, one training session and a week of duty.
    Every id derives from the demo's own keys, so seeding again stores nothing twice."""
    from server.duty.demo_data import seed_duty
    from server.notices.service import create_notice
    from server.training.service import create_session

    today = clock.today()
    people = await Person.select(Person.id, Person.name, Person.department).where(
        Person.department.is_not_null()
    )
    for item in DEMO_SUPPLIES:
        await _seed_supply(*item, people, today)
    for kind, title, body, staff, public in DEMO_NOTICES:
        audience = {"to_staff": "1" if staff else "", "to_public": "1" if public else ""}
        form = {"kind": kind, "title": title, "body": body, **audience}
        entry = uuid.uuid5(DEMO_NAMESPACE, f"notice/{title}")
        await create_notice(entry, form, SYSTEM, True, clock.now(), today)
    session = {"topic": "测温与来人登记规范", "trainer": "区疾控中心", "place": "三楼会议室"}
    session["held_on"] = str(today - dt.timedelta(days=3))
    attendees = [p["id"] for p in people[:12]]
    await create_session(uuid.uuid5(DEMO_NAMESPACE, "training/1"), session, attendees, SYSTEM)
    await seed_duty(DEMO_NAMESPACE)


async def _seed_supply(name, unit, low, bought, daily, people, today) -> None:
    from server.checks.rules import Invalid
    from server.supplies.service import create_item, record_movement
    from server.supplies.tables import MovementKind

    item_id = uuid.uuid5(DEMO_NAMESPACE, f"supply/{name}")
    await create_item(item_id, {"name": name, "unit": unit, "low_stock": str(low)}, SYSTEM)
    purchase = {"quantity": str(bought), "supplier": "区医药公司", "cost": str(bought * 2)}
    purchase["day"] = str(today - dt.timedelta(days=10))
    moves = [(f"{name}/bought", MovementKind.purchase, purchase)]
    for back in range(6, -1, -1) if daily else ():  # oldest first, as the office would
        day = today - dt.timedelta(days=back)
        person = people[(back * 7) % len(people)]
        issue = {"quantity": str(daily), "day": str(day), "receiver": person["name"]}
        issue["department"] = str(person["department"])
        moves.append((f"{name}/{day}", MovementKind.issue, issue))
    for key, kind, form in moves:
        try:
            entry = uuid.uuid5(DEMO_NAMESPACE, f"movement/{key}")
            await record_movement(entry, item_id, kind, form, SYSTEM, today)
        except Invalid:
            pass  # reseeded on a later day, the stock would not cover it: leave it as it is


async def seed_zero_reports(days: int) -> None:
    """The last `days` days of daily zero reports, so the office's pages are not empty: most
    departments on time with the records' counts, one late each day, one missed; today's
    still coming in (none before its time). Submitted by the demo's head login. Ids derive
    from the demo's keys, so seeding again stores nothing twice."""
    from server.accounts.tables import UserAccount
    from server.reports import records
    from server.reports import service as reports

    policy = await load_policy()
    account = await UserAccount.select(UserAccount.id).where(UserAccount.username == "head")
    head = Actor(username="head", user_id=account[0]["id"] if account else None)
    departments = await reports.departments()
    for back in range(days, -1, -1):
        day = clock.today() - dt.timedelta(days=back)
        start, _ = clock.day_bounds(day)
        counts = await records.recorded_counts(day, "am", policy, start + dt.timedelta(hours=9))
        for n, department in enumerate(departments):
            if (n + back) % 7 == 3 or (back == 0 and n % 2):
                continue  # missed that day (or today's, not in yet)
            late = (n + back) % 7 == 5
            at = (
                start + dt.timedelta(hours=10, minutes=40)
                if late
                else start + dt.timedelta(hours=8, minutes=30 + n)
            )
            if at > clock.now():
                continue  # today's, not sent yet at this hour
            form = {k: str(v) for k, v in counts.get(department["id"], {}).items()}
            form = {name: form.get(name, "0") for name in records.COUNT_FIELDS}
            entry = uuid.uuid5(DEMO_NAMESPACE, f"zero/{department['id']}/{day}")
            await reports.submit(entry, department["id"], day, "am", form, head, now=at)
