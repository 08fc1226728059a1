"""The migration that moved the declarations' own in-app alerts into the notify domain: each
old alert becomes a notification of every account it was addressed to, read where the office
had read it, and the old table is gone. Run for real: one step back, old rows in, forwards."""

import datetime as dt
import importlib

import pytest
from piccolo.apps.migrations.commands.backwards import run_backwards

from server import demo
from server.migrations import migrate
from server.notify.tables import InAppNotification
from server.org.tables import Person
from tests.support import DEMO_PASSWORD, reset_database

MIGRATION = importlib.import_module(
    "server.declarations.piccolo_migrations.declarations_2026_12_04t09_30_00_000000"
)
OldAlert = MIGRATION.OldAlert
AT = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    departments = await demo.seed_organisation(lambda _: None)
    await demo.seed_users(DEMO_PASSWORD, departments)


async def wang_ping() -> dict:
    return await Person.select(Person.id, Person.department).where(Person.name == "王萍").first()


def alert(person: dict, role: str, read_at=None) -> OldAlert:
    return OldAlert(
        recipient_role=role,
        department=person["department"] if role == "head" else None,
        person=person["id"],
        kind="stay_home",
        message="%(name)s (%(department)s) must stay home and await notice.",
        params={"name": "王萍", "department": "办公室", "risks": ["left_city"]},
        created_at=AT,
        read_at=read_at,
    )


async def moved() -> dict[str, dict]:
    rows = (
        await InAppNotification.select(
            InAppNotification.user.username.as_alias("who"), *InAppNotification.all_columns()
        )
        .where(InAppNotification.key.like("declarations_in_app_alert:%"))
        .output(load_json=True)
    )
    return {r["who"]: r for r in rows}


async def test_old_alerts_become_the_notifications_of_their_readers():
    person = await wang_ping()
    # Back to before this migration (and those after it, run again by migrate()).
    result = await run_backwards("declarations", migration_id=MIGRATION.ID, auto_agree=True)
    assert result.success, result.message
    try:
        await OldAlert.insert(alert(person, "office", read_at=AT), alert(person, "head"))
    finally:
        await migrate()

    copies = await moved()
    assert sorted(copies) == ["head", "leader", "office"]
    assert copies["office"]["read_at"] == AT and copies["leader"]["read_at"] == AT
    head = copies["head"]
    assert head["read_at"] is None and head["urgent"] and head["created_at"] == AT
    assert head["link"] == f"/health/people/{person['id']}"
    assert head["params"]["risks"] == ["left_city"] and head["kind"] == "stay_home"
    assert not await OldAlert.table_exists()
