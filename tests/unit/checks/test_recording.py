"""Recording checks on the real database: idempotency, re-measure, audit, concurrency."""

import asyncio

import pytest

from server import demo
from server.audit import service as audit
from server.audit.service import Actor
from server.checks import service
from server.checks.rules import Invalid
from server.checks.tables import CheckStatus, VisitorCheck
from server.org.tables import Person
from server.policy.service import Policy, load_policy, store_setting
from sync.ids import new_entry_id
from tests.support import reset_database

DESK = Actor(username="desk-test")
POLICY = Policy()


def visitor(**overrides):
    return {"name": "张三", "phone": "13812345678", "temperature": "36.6", **overrides}


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)


async def test_same_entry_twice_stores_one_row_and_one_audit_entry():
    entry_id = new_entry_id()
    first = await service.record_visitor_check(entry_id, visitor(), DESK, POLICY)
    again = await service.record_visitor_check(entry_id, visitor(), DESK, POLICY)
    assert first.created and not again.created
    assert again.check["id"] == entry_id
    assert await VisitorCheck.count().where(VisitorCheck.id == entry_id) == 1
    trail = await audit.history("visitor_check", entry_id)
    assert [h["action"] for h in trail] == ["create"]
    assert trail[0]["after"]["phone"] == "13812345678"
    assert trail[0]["actor"] == "desk-test"


async def test_every_bad_field_is_named_at_once_and_nothing_is_stored():
    entry_id = new_entry_id()
    with pytest.raises(Invalid) as refused:
        await service.record_visitor_check(
            entry_id,
            {"name": "", "phone": "123", "id_number": "110105194912310021", "temperature": "45"},
            DESK,
            POLICY,
        )
    assert {p.field for p in refused.value.problems} == {
        "name",
        "phone",
        "id_number",
        "temperature",
    }
    assert await VisitorCheck.count().where(VisitorCheck.id == entry_id) == 0


async def test_abnormal_then_abnormal_remeasure_holds_and_keeps_both_readings():
    entry_id = new_entry_id()
    first = await service.record_visitor_check(entry_id, visitor(temperature="38.2"), DESK, POLICY)
    assert first.check["status"] == CheckStatus.remeasure
    second = await service.remeasure_visitor(entry_id, "38.4", DESK, POLICY)
    assert second.check["status"] == CheckStatus.held
    assert (second.check["temperature"], second.check["remeasure_temperature"]) == (38.2, 38.4)
    trail = await audit.history("visitor_check", entry_id)
    assert [h["action"] for h in trail] == ["create", "remeasure"]
    assert trail[1]["before"]["status"] == "remeasure" and trail[1]["after"]["status"] == "held"


async def test_a_second_remeasure_changes_nothing():
    entry_id = new_entry_id()
    await service.record_visitor_check(entry_id, visitor(temperature="37.5"), DESK, POLICY)
    cleared = await service.remeasure_visitor(entry_id, "36.8", DESK, POLICY)
    replay = await service.remeasure_visitor(entry_id, "38.9", DESK, POLICY)
    assert cleared.check["status"] == replay.check["status"] == CheckStatus.cleared
    assert replay.check["remeasure_temperature"] == 36.8 and not replay.created


async def test_remeasure_of_an_unknown_check_is_a_lookup_error():
    with pytest.raises(LookupError):
        await service.remeasure_visitor(new_entry_id(), "36.5", DESK, POLICY)


async def test_symptoms_with_travel_hold_at_once():
    recorded = await service.record_visitor_check(
        new_entry_id(),
        visitor(symptoms=["cough"], travel_or_contact="yes"),
        DESK,
        POLICY,
    )
    assert recorded.check["status"] == CheckStatus.held
    assert recorded.check["symptoms"] == "cough"


async def test_purpose_naming_a_window_links_the_window():
    recorded = await service.record_visitor_check(
        new_entry_id(), visitor(purpose="A01 企业开办"), DESK, POLICY
    )
    assert recorded.check["window_code"] == "A01"


async def test_staff_check_needs_a_person_on_the_roster():
    with pytest.raises(Invalid) as refused:
        await service.record_staff_check(
            new_entry_id(),
            {"person": "999999", "direction": "arrival", "temperature": "36.5"},
            DESK,
            POLICY,
        )
    assert [p.field for p in refused.value.problems] == ["person"]


async def test_staff_check_remeasure_flow():
    person = await Person.select(Person.id).first()
    entry_id = new_entry_id()
    form = {"person": str(person["id"]), "direction": "arrival", "temperature": "37.6"}
    first = await service.record_staff_check(entry_id, form, DESK, POLICY)
    assert first.check["status"] == CheckStatus.remeasure
    second = await service.remeasure_staff(entry_id, "37.9", DESK, POLICY)
    assert second.check["status"] == CheckStatus.held


async def test_threshold_setting_changes_the_rule():
    await store_setting("fever_threshold", 37.5)
    await store_setting("fever_threshold", 37.5)
    policy = await load_policy()
    assert policy.fever_threshold == 37.5
    recorded = await service.record_visitor_check(
        new_entry_id(), visitor(temperature="37.4"), DESK, policy
    )
    assert recorded.check["status"] == CheckStatus.normal
    await store_setting("fever_threshold", 37.3)


async def test_concurrent_writers_never_see_database_is_locked():
    """Forty writes at once, ten of them replays of others: thirty rows, no lock errors."""
    ids = [new_entry_id() for _ in range(30)]
    writes = [service.record_visitor_check(i, visitor(), DESK, POLICY) for i in ids]
    writes += [service.record_visitor_check(i, visitor(), DESK, POLICY) for i in ids[:10]]
    results = await asyncio.gather(*writes)
    assert sum(r.created for r in results) == 30
    assert await VisitorCheck.count().where(VisitorCheck.id.is_in(ids)) == 30


async def test_a_symptom_typed_with_its_box_unticked_holds_a_traveller():
    """SPEC rule 3: symptoms together with travel or contact hold the person at once."""
    recorded = await service.record_visitor_check(
        new_entry_id(),
        visitor(symptoms_other=" 流涕 ", travel_or_contact="yes"),
        DESK,
        POLICY,
    )
    check = recorded.check
    assert check["symptoms"] == "other" and check["symptoms_other"] == "流涕"
    assert check["status"] == CheckStatus.held
