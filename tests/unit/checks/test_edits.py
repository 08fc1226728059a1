"""Corrections merged field by field, and the safety rule's conflict queue."""

import pytest

from server import demo
from server.audit import service as audit
from server.audit.service import Actor
from server.checks import edits, service
from server.checks.tables import CheckStatus
from server.policy.service import Policy
from sync.ids import new_entry_id
from sync.merge import Side

POLICY = Policy()
PHONE = Actor(username="desk", device="dev-1")
OFFICE = Actor(username="office")


def desk_side(millis: int) -> Side:
    return Side("desk", f"{millis:016d}-0000-dev-1")


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    from tests.support import reset_database

    await reset_database()
    await demo.seed_organisation(lambda _: None)


async def new_check(**fields) -> dict:
    form = {"name": "原名", "phone": "13812345678", "temperature": "36.5", **fields}
    return (await service.record_visitor_check(new_entry_id(), form, PHONE, POLICY)).check


async def test_changes_to_different_fields_from_both_sides_both_stand():
    check = await new_check()
    await edits.edit_visitor_check(
        check["id"],
        {"name": "改名"},
        1,
        edits.office_side("office"),
        OFFICE,
        POLICY,
        guard_safety=False,
    )
    outcome = await edits.edit_visitor_check(
        check["id"], {"purpose": "B01 社保登记"}, 1, desk_side(5), PHONE, POLICY
    )
    assert outcome.check["name"] == "改名" and outcome.check["purpose"] == "B01 社保登记"
    assert outcome.check["version"] == 3 and not outcome.merged.conflicted


async def test_the_office_wins_a_clash_and_the_desks_value_is_kept_in_history():
    check = await new_check()
    await edits.edit_visitor_check(
        check["id"],
        {"name": "办公室改"},
        1,
        edits.office_side("office"),
        OFFICE,
        POLICY,
        guard_safety=False,
    )
    outcome = await edits.edit_visitor_check(
        check["id"], {"name": "手机改"}, 1, desk_side(10**15), PHONE, POLICY
    )
    assert outcome.check["name"] == "办公室改"
    assert outcome.merged.lost == {"name": "手机改"}
    trail = await audit.history("visitor_check", check["id"])
    assert trail[-1]["action"] == "conflict_lost"
    assert trail[-1]["after"] == {"lost": {"name": "手机改"}}


async def test_between_desks_the_later_stamp_wins():
    check = await new_check()
    await edits.edit_visitor_check(check["id"], {"name": "晚"}, 1, desk_side(200), PHONE, POLICY)
    outcome = await edits.edit_visitor_check(
        check["id"], {"name": "早"}, 1, desk_side(100), PHONE, POLICY
    )
    assert outcome.check["name"] == "晚" and outcome.merged.lost == {"name": "早"}


@pytest.mark.parametrize(
    "fields, change",
    [
        ({"temperature": "38.0"}, {"temperature": "36.8"}),  # awaiting re-measure → normal
        ({"symptoms": ["cough"], "travel_or_contact": "yes"}, {"travel_or_contact": False}),
    ],
)
async def test_a_phone_cannot_relax_a_fever_or_a_hold_by_itself(fields, change):
    check = await new_check(**fields)
    before = check["status"]
    outcome = await edits.edit_visitor_check(check["id"], change, 1, desk_side(1), PHONE, POLICY)
    assert outcome.check["status"] == before and outcome.conflict_id is not None
    assert [c["id"] for c in await edits.open_conflicts()].count(outcome.conflict_id) == 1


async def test_the_office_applies_a_queued_change_once():
    check = await new_check(temperature="38.0")
    outcome = await edits.edit_visitor_check(
        check["id"], {"temperature": "36.8"}, 1, desk_side(1), PHONE, POLICY
    )
    for _ in range(2):
        await edits.resolve_conflict(
            outcome.conflict_id, True, edits.office_side("office"), OFFICE, POLICY
        )
    resolved = await service.visitor_check(check["id"])
    assert resolved["temperature"] == 36.8 and resolved["status"] == CheckStatus.normal
    assert resolved["version"] == 2
    assert outcome.conflict_id not in [c["id"] for c in await edits.open_conflicts()]


async def test_keeping_the_server_values_changes_nothing():
    check = await new_check(temperature="38.0")
    outcome = await edits.edit_visitor_check(
        check["id"], {"temperature": "36.8"}, 1, desk_side(1), PHONE, POLICY
    )
    await edits.resolve_conflict(
        outcome.conflict_id, False, edits.office_side("office"), OFFICE, POLICY
    )
    kept = await service.visitor_check(check["id"])
    assert kept["temperature"] == 38.0 and kept["status"] == CheckStatus.remeasure


async def test_raising_the_status_is_applied_at_once():
    check = await new_check()
    outcome = await edits.edit_visitor_check(
        check["id"], {"temperature": "38.5"}, 1, desk_side(1), PHONE, POLICY
    )
    assert outcome.check["status"] == CheckStatus.remeasure and outcome.conflict_id is None
