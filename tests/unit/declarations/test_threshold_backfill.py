"""The migrations that give every declaration the fever threshold it was judged by: those made
before get the threshold in force at their last submission, told by the audit log's changes
of the setting (the setting now after the last change). Run for real: the two migrations
back, the setting's history in, forwards."""

import datetime as dt
import importlib
import json

import pytest
from piccolo.apps.migrations.commands.backwards import run_backwards

from server import demo
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.declarations.service import submit_declaration
from server.declarations.tables import Declaration
from server.migrations import migrate
from server.org.tables import Person
from server.policy.service import Policy
from server.policy.tables import Setting
from sync.ids import new_entry_id
from tests.support import reset_database

ADDED = importlib.import_module(
    "server.declarations.piccolo_migrations.declarations_2026_12_04t22_27_18_820537"
)
NORMAL = {
    "temperature": "37.1",
    "symptoms": [],
    "left_city": "no",
    "outbreak_contact": "no",
    "household_symptoms": "no",
    "work_mode": "on_site",
}


def utc(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)
    yield
    await Setting.delete().where(Setting.key == "fever_threshold")


def change(at: dt.datetime, before: float, after: float) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor="admin",
        action="update",
        entity="setting",
        entity_id="fever_threshold",
        before={"fever_threshold": before},
        after={"fever_threshold": after},
    )


async def test_each_declaration_gets_the_threshold_in_force_at_its_last_submission():
    people = [r["id"] for r in await Person.select(Person.id).order_by(Person.id).limit(4)]
    made = {}
    # Declared on the 1st (amended on the 4th), the 2nd, the 5th and the 10th of March.
    for person, days in zip(people, ((1, 4), (2,), (5,), (10,)), strict=True):
        for day in days:
            submitted = await submit_declaration(
                person, NORMAL, Actor(username="staff"), Policy(),
                submission_id=new_entry_id(), now=utc(day, 1),
            )  # fmt: skip
        made[days[-1]] = submitted.declaration["id"]
    result = await run_backwards("declarations", migration_id=ADDED.ID, auto_agree=True)
    assert result.success, result.message
    try:
        # 37.3 (the default) until the 3rd, 37.0 until the 8th, 37.5 since.
        await AuditEntry.insert(change(utc(3), 37.3, 37.0), change(utc(8), 37.0, 37.5))
        await Setting.insert(Setting(key="fever_threshold", value=json.dumps(37.5)))
    finally:
        await migrate()
    rows = await Declaration.select(Declaration.id, Declaration.fever_threshold)
    found = {row["id"]: row["fever_threshold"] for row in rows}
    assert {day: found[made[day]] for day in made} == {4: 37.0, 2: 37.3, 5: 37.0, 10: 37.5}
