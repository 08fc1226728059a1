"""Training sessions on the real database: idempotent creation, attendees set from the
roster (audited), and each person's record."""

import pytest

from server import demo
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid
from server.org.tables import Person
from server.training import service
from sync.ids import new_entry_id
from tests.support import reset_database

OFFICE = Actor(username="office")
FORM = {"topic": "口罩的正确佩戴", "held_on": "2026-02-03", "trainer": "区疾控 刘医生"}


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)


@pytest.fixture(scope="module")
async def people() -> list[int]:
    return [p["id"] for p in await Person.select(Person.id).order_by(Person.id).limit(4)]


async def test_a_resubmitted_session_is_stored_once_with_its_attendees(people):
    entry = new_entry_id()
    first = await service.create_session(entry, FORM, [str(p) for p in people[:2]], OFFICE)
    again = await service.create_session(entry, FORM, [str(p) for p in people], OFFICE)
    assert first.created and not again.created
    assert await service.attendee_ids(entry) == set(people[:2])
    trail = await audit.history("training_session", entry)
    assert trail[0]["after"]["attendees"] == sorted(people[:2])


async def test_bad_form_names_every_field():
    with pytest.raises(Invalid) as refused:
        await service.create_session(new_entry_id(), {"held_on": "3月2日"}, [], OFFICE)
    assert {p.field for p in refused.value.problems} == {"topic", "trainer", "held_on"}


async def test_attendees_are_set_to_the_ticked_boxes_and_unknown_ids_dropped(people):
    entry = new_entry_id()
    await service.create_session(entry, FORM, [people[0], people[1]], OFFICE)
    assert await service.set_attendees(entry, [people[1], people[2], "999999", "x"], OFFICE)
    assert await service.attendee_ids(entry) == {people[1], people[2]}
    assert not await service.set_attendees(entry, [people[2], people[1]], OFFICE)
    changes = [h for h in await audit.history("training_session", entry) if h["action"] != "create"]
    assert len(changes) == 1
    assert changes[0]["before"]["attendees"] == sorted([people[0], people[1]])
    with pytest.raises(LookupError):
        await service.set_attendees(new_entry_id(), [], OFFICE)


async def test_a_persons_record_lists_their_sessions_latest_first(people):
    person = people[3]
    for day, topic in (("2026-02-01", "消毒"), ("2026-02-10", "测温")):
        await service.create_session(
            new_entry_id(), {**FORM, "topic": topic, "held_on": day}, [person], OFFICE
        )
    assert [r["topic"] for r in await service.person_records(person)] == ["测温", "消毒"]
    assert await service.person_records(None) == []
    listed = {s["topic"]: s["attendee_count"] for s in await service.sessions()}
    assert listed["测温"] == 1
