"""Demo declarations for `hallwatch seed-demo`: a few days of ordinary answers, today's still
coming in (the demo logins' own left undeclared so they can try the form), one person sent
home by a trip, one sick absence with a follow-up.

Ids are derived from the demo's keys, so seeding twice stores nothing twice."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable

from server import clock
from server.accounts.tables import UserAccount
from server.audit.service import SYSTEM
from server.db import write_transaction
from server.declarations import absences, service
from server.declarations.fatigue import fatigue_flags
from server.declarations.rules import ANSWERS
from server.declarations.tables import Declaration, DeclarationRevision
from server.org.tables import Person
from server.policy.service import load_policy
from sync.protocol import jsonable

NAMESPACE = uuid.UUID("9c8e4f0a-7d2b-4b8e-8f55-2020001400a4")
MODES = ["on_site"] * 16 + ["from_home"] * 3 + ["leave"]


def _answers(rng: random.Random) -> dict:
    return {
        "temperature": round(36.1 + rng.random() * 0.8, 1),
        "symptoms": "",
        "symptoms_other": "",
        "left_city": False,
        "left_city_where": "",
        "outbreak_contact": False,
        "household_symptoms": False,
        "work_mode": rng.choice(MODES),
        "note": "",
    }


def _declaration(person_id: int, day: dt.date, rng: random.Random, threshold: float) -> dict:
    start, _ = clock.day_bounds(day)
    at = start + dt.timedelta(hours=7, seconds=rng.randrange(115 * 60))
    return {
        "id": uuid.uuid5(NAMESPACE, f"declaration/{person_id}/{day}"),
        "person": person_id,
        "day": day,
        "day_key": f"{person_id}|{day.isoformat()}",
        "submitted_at": at,
        "updated_at": at,
        # As a submission would: the day's counts judge the temperature by it, not by the
        # column's default.
        "fever_threshold": threshold,
        **_answers(rng),
    }


async def _ordinary(days: int, skip_today: set[int]) -> list[dict]:
    """Everyone's ordinary declarations of the last `days` days; today's only for those who
    would have sent theirs by now."""
    people = await Person.select(Person.id).where(Person.active == True)  # noqa: E712
    today, now = clock.today(), clock.now()
    threshold = (await load_policy()).fever_threshold
    rows: list[dict] = []
    for person in people:
        mine: list[dict] = []
        for back in range(days - 1, -1, -1):
            day = today - dt.timedelta(days=back)
            rng = random.Random(f"{person['id']}/{day}")
            row = _declaration(person["id"], day, rng, threshold)
            if back == 0 and (person["id"] in skip_today or rng.random() < 0.25):
                continue
            if row["submitted_at"] > now:
                continue
            mine.append(row)
            row["flags"] = ",".join(fatigue_flags(mine))
        rows.extend(mine)
    return rows


async def _insert_new(rows: list[dict]) -> int:
    if not rows:
        return 0
    async with write_transaction():
        known = {
            r["id"]
            for r in await Declaration.select(Declaration.id).where(
                Declaration.id.is_in([r["id"] for r in rows])
            )
        }
        new = [r for r in rows if r["id"] not in known]
        if new:
            await Declaration.insert(*(Declaration(**r) for r in new))
            await DeclarationRevision.insert(*(_revision(r) for r in new))
    return len(new)


def _revision(row: dict) -> DeclarationRevision:
    answers = {k: row[k] for k in ("temperature", *ANSWERS)}
    answers["symptoms"] = []
    return DeclarationRevision(
        id=row["id"],
        declaration=row["id"],
        version=1,
        answers=jsonable(answers),
        submitted_at=row["submitted_at"],
    )


async def _first_person(department: str, offset: int = 0) -> int | None:
    rows = (
        await Person.select(Person.id)
        .where((Person.department.name == department) & (Person.title == ""))
        .order_by(Person.id)
    )
    return rows[offset]["id"] if len(rows) > offset else None


async def _cases(skip: set[int]) -> None:
    """One person sent home by today's declaration, one absent sick since two days ago."""
    policy, now = await load_policy(), clock.now()
    traveller = await _first_person("后勤中心")
    if traveller and traveller not in skip:
        answers = {
            **_answers(random.Random(1)),
            "left_city": "yes",
            "left_city_where": "武汉，1月20日返回",
        }
        await service.submit_declaration(
            traveller,
            {**answers, "outbreak_contact": "no", "household_symptoms": "no"},
            SYSTEM,
            policy,
            submission_id=uuid.uuid5(NAMESPACE, f"trip/{clock.today()}"),
            now=now,
        )
    sick = await _first_person("档案室")
    if sick and sick not in skip and not await absences.open_absence(sick):
        since = clock.today() - dt.timedelta(days=2)
        absence = await absences.register_absence(
            sick,
            {"since": since.isoformat(), "symptoms": "发热、乏力", "saw_doctor": "yes"},
            SYSTEM,
            entry_id=uuid.uuid5(NAMESPACE, f"absence/{since}"),
        )
        await absences.add_follow_up(
            absence["id"],
            {"note": "在家休息，体温已降", "temperature": "37.0"},
            SYSTEM,
            policy,
            entry_id=uuid.uuid5(NAMESPACE, f"follow-up/{since}"),
        )


async def seed_declarations(days: int, progress: Callable[[str], None]) -> int:
    """`days` days of declarations and the two cases; returns how many new declarations."""
    logins = await UserAccount.select(UserAccount.person).where(UserAccount.person.is_not_null())
    skip = {row["person"] for row in logins}
    stored = await _insert_new(await _ordinary(days, skip))
    progress("declarations")
    await _cases(skip)
    return stored
