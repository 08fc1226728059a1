"""`declaration.submit` through /sync/push with a logged-in staff session: the phone's
outbox can carry a declaration filled in offline, replays store nothing twice, and the answer
tells the phone the person must stay home."""

import datetime as dt

from server import clock
from server.declarations import service
from server.declarations.tables import Declaration, DeclarationRevision
from server.org.tables import Person
from sync.ids import new_entry_id
from tests.http.conftest import log_in

SYNC = {"x-hallwatch-sync": "1"}


def submit(entity=None, captured_at=None, **fields) -> dict:
    return {
        "id": str(new_entry_id()),
        "kind": "declaration.submit",
        "schema": 1,
        "seq": 1,
        "captured_at": (captured_at or dt.datetime.now(dt.UTC)).isoformat(),
        "entity_id": str(entity or new_entry_id()),
        "fields": {
            "temperature": 36.6,
            "symptoms": [],
            "left_city": False,
            "outbreak_contact": False,
            "household_symptoms": False,
            "work_mode": "on_site",
            **fields,
        },
    }


async def push(client, *mutations) -> list[dict]:
    response = await client.post("/sync/push", json={"mutations": list(mutations)}, headers=SYNC)
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def wang() -> int:
    return (await Person.select(Person.id).where(Person.name == "王萍").first())["id"]


async def test_an_offline_declaration_syncs_once_and_says_stay_home(anonymous, seeded):
    await log_in(anonymous, "staff")
    filled_in = clock.now() - dt.timedelta(minutes=40)
    cough = submit(captured_at=filled_in, symptoms=["cough"])
    first, again = await push(anonymous, cough), await push(anonymous, cough)
    assert first[0]["status"] == "applied" and again[0]["status"] == "duplicate"
    row = first[0]["row"]
    assert row["id"] == cough["entity_id"] and row["work_state"] == "stay_home"
    assert row["risks"] == "symptoms"
    stored = await Declaration.select().where(Declaration.id == cough["entity_id"]).first()
    assert stored["person"] == await wang()
    assert abs(stored["submitted_at"] - filled_in) < dt.timedelta(seconds=1)
    assert (
        await DeclarationRevision.count().where(DeclarationRevision.declaration == stored["id"])
        == 1
    )


async def test_a_second_declaration_the_same_day_amends_the_first(anonymous, seeded):
    await log_in(anonymous, "staff")
    # Two days back: the offline test's declaration of 40 minutes ago is yesterday's just
    # after midnight, and this one would amend it.
    yesterday = clock.now() - dt.timedelta(days=2)
    first = submit(captured_at=yesterday)
    second = submit(captured_at=yesterday + dt.timedelta(minutes=5), temperature=36.9)
    results = await push(anonymous, first, second)
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[1]["row"]["id"] == first["entity_id"] and results[1]["version"] == 2
    day = clock.local(yesterday).date()
    stored = await service.declaration_on(await wang(), day)
    assert stored["temperature"] == 36.9


async def test_bad_answers_are_rejected_per_field(anonymous, seeded):
    await log_in(anonymous, "staff")
    bad = submit(temperature=45, work_mode="")
    result = (await push(anonymous, bad))[0]
    assert result["status"] == "rejected"
    assert set(result["errors"]) == {"temperature", "work_mode"}


async def test_a_desk_phone_session_without_a_person_cannot_declare(anonymous, seeded):
    await log_in(anonymous, "desk")
    result = (await push(anonymous, submit()))[0]
    assert result["status"] == "rejected"


async def test_a_session_push_needs_the_sync_header(anonymous, seeded):
    await log_in(anonymous, "staff")
    response = await anonymous.post("/sync/push", json={"mutations": [submit()]})
    assert response.status_code == 401
