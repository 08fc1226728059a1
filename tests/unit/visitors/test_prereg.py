"""Pre-registrations on the real database: idempotent, the desk's own rules, a short
unambiguous code, expiry at the end of the next day, the check made from one, the purge."""

import datetime as dt
import re

import pytest

from server import clock
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.checks.rules import Invalid
from server.checks.tables import VisitorCheck
from server.policy.service import Policy
from server.visitors import service
from server.visitors.tables import Preregistration
from sync.ids import new_entry_id
from tests.support import reset_database

DESK = Actor(username="desk-test", device="phone-1")
FORM = {"name": "预约甲", "phone": "13900001111", "purpose": "社保", "travel_or_contact": "no"}


@pytest.fixture(scope="module", autouse=True)
async def database():
    await reset_database()


async def test_a_pre_registration_is_stored_once_with_a_short_unambiguous_code():
    entry = new_entry_id()
    first = await service.create(entry, FORM, Policy())
    again = await service.create(entry, FORM, Policy())
    assert first["code"] == again["code"]
    assert re.fullmatch(r"[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}", first["code"])
    assert await Preregistration.count().where(Preregistration.id == entry) == 1
    trail = await AuditEntry.select(AuditEntry.after).where(AuditEntry.entity_id == str(entry))
    assert "13900001111" not in str(trail) and "预约甲" not in str(trail)


def test_it_expires_at_the_end_of_the_next_day_in_the_hall():
    evening = dt.datetime(2026, 3, 9, 23, 0, tzinfo=clock.hall_zone())
    expires = clock.local(service.expiry(evening.astimezone(dt.UTC)))
    assert (expires.date(), expires.time()) == (dt.date(2026, 3, 11), dt.time(0, 0))


async def test_the_desks_rules_apply_and_the_14_day_question_must_be_answered():
    bad = {"name": "", "phone": "12345", "travel_or_contact": ""}
    with pytest.raises(Invalid) as refused:
        await service.create(new_entry_id(), bad, Policy())
    assert {p.field for p in refused.value.problems} == {"name", "phone", "travel_or_contact"}


async def test_a_check_from_the_code_takes_the_visitors_answers_and_links_once():
    made = await service.create(new_entry_id(), {**FORM, "name": "预约乙"}, Policy())
    check_id = new_entry_id()
    fields = {"prereg": made["code"].lower(), "temperature": "36.6"}
    recorded = await service.record_check(check_id, fields, DESK, Policy())
    assert recorded.created and recorded.check["phone"] == "13900001111"
    assert recorded.check["name"] == "预约乙" and recorded.check["purpose"] == "社保"
    again = await service.record_check(check_id, fields, DESK, Policy())
    assert not again.created
    assert await VisitorCheck.count().where(VisitorCheck.name == "预约乙") == 1
    stored = await service.by_id(made["id"])
    assert stored["check_id"] == check_id
    assert service.phone_row(stored)["used"] is True
    assert service.phone_row(stored)["phone"] == "139****1111"


async def test_an_unknown_or_expired_code_is_refused_with_the_reason():
    with pytest.raises(Invalid) as refused:
        await service.record_check(new_entry_id(), {"prereg": "ZZZZZZ"}, DESK, Policy())
    assert refused.value.problems[0].field == "prereg"
    made = await service.create(new_entry_id(), {**FORM, "name": "预约丙"}, Policy())
    late = made["expires_at"] + dt.timedelta(minutes=1)
    with pytest.raises(Invalid):
        await service.record_check(
            new_entry_id(),
            {"prereg": made["code"], "temperature": "36.5"},
            DESK,
            Policy(),
            now=late,
        )


async def test_they_are_purged_with_the_visitor_records():
    made = await service.create(new_entry_id(), {**FORM, "name": "预约丁"}, Policy())
    assert await service.purge(clock.now(), Policy()) == 0
    later = clock.now() + dt.timedelta(days=Policy().visitor_retention_days + 1)
    assert await service.purge(later, Policy()) >= 1
    assert await service.by_id(made["id"]) is None
