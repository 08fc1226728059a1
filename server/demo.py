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
from server.audit.service import SYSTEM
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
