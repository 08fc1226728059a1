"""The migration that repairs the sick absences whose symptoms were stored as a Python list
(the web forms before dacf321): each gets the line typed back, several values joined by 、,
one cut short at 200 characters as far as it goes, with an audit row; a line typed after the
fix stays as it is. Run for real: the migration back, forwards."""

import importlib

import pytest
from piccolo.apps.migrations.commands.backwards import run_backwards

from server import clock, demo
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.declarations import absences
from server.declarations.tables import SickAbsence
from server.migrations import migrate
from server.org.tables import Person
from sync.ids import new_entry_id
from tests.support import reset_database

REPAIR = importlib.import_module(
    "server.declarations.piccolo_migrations.declarations_2026_12_04t22_45_00_000000"
)
LONG = "咳嗽" * 99 + "乏"  # 199 characters: as a list's repr, cut at 200


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)


async def test_symptoms_stored_as_a_list_get_the_line_typed_back():
    people = [r["id"] for r in await Person.select(Person.id).order_by(Person.id).limit(5)]
    # What the old forms posted (a list) is what clean_absence stored as text.
    posted = [["发热、咳嗽"], ["发热", " 咳嗽 38.5 "], [LONG], "[左]膝关节痛", "发热 38.2"]
    ids = []
    for person, symptoms in zip(people, posted, strict=True):
        form = {"since": clock.today().isoformat(), "symptoms": symptoms, "saw_doctor": "no"}
        stored = await absences.register_absence(
            person, form, Actor(username="head"), entry_id=new_entry_id()
        )
        ids.append(stored["id"])
    assert (await absences.absence(ids[0]))["symptoms"] == "['发热、咳嗽']"
    result = await run_backwards("declarations", migration_id=REPAIR.ID, auto_agree=True)
    assert result.success, result.message
    await migrate()
    rows = {r["id"]: r["symptoms"] for r in await SickAbsence.select()}
    assert [rows[i] for i in ids] == [
        "发热、咳嗽",
        "发热、咳嗽 38.5",
        LONG[:198],
        "[左]膝关节痛",
        "发热 38.2",
    ]
    repaired = await AuditEntry.select().where(AuditEntry.action == "repair").output(load_json=True)
    assert sorted(r["entity_id"] for r in repaired) == sorted(str(i) for i in ids[:3])
    first = next(r for r in repaired if r["entity_id"] == str(ids[0]))
    assert first["before"] == {"symptoms": "['发热、咳嗽']"}
    assert first["after"] == {"symptoms": "发热、咳嗽"}
    # Run again (a migration replayed after a restore), nothing changes twice.
    await REPAIR.repair()
    assert await AuditEntry.count().where(AuditEntry.action == "repair") == 3
