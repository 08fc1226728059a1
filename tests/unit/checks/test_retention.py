"""Visitor records past the retention period are gone; the day's counts stay."""

import datetime as dt

import pytest

from server import clock, demo
from server.audit import service as audit
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.checks import service
from server.checks.retention import SEARCH_FORGOTTEN, forget_export_searches, purge_visitors
from server.checks.tables import VisitorCheck, VisitorDailyCount
from server.policy.service import Policy
from sync.ids import new_entry_id
from sync.tables import SyncChange
from tests.support import reset_database

PHONE = Actor(username="desk", device="dev-r")
POLICY = Policy(visitor_retention_days=28)


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)


async def visit(days_ago: int, **fields):
    at = clock.now() - dt.timedelta(days=days_ago)
    form = {
        "name": "旧访客",
        "phone": "13811112222",
        "temperature": "36.5",
        "purpose": "A01 企业开办",
        **fields,
    }
    return (await service.record_visitor_check(new_entry_id(), form, PHONE, POLICY, now=at)).check


async def test_purge_removes_old_records_and_keeps_counts():
    old = [await visit(40), await visit(40, temperature="38.0"), await visit(40)]
    await service.remeasure_visitor(old[1]["id"], "38.2", PHONE, POLICY)
    recent = await visit(3)
    assert await purge_visitors(clock.now(), POLICY) == 3
    remaining = await VisitorCheck.select(VisitorCheck.id)
    assert [r["id"] for r in remaining] == [recent["id"]]
    day = clock.local(old[0]["time_in"]).date()
    counts = await VisitorDailyCount.select().where(VisitorDailyCount.day == day).first()
    assert (counts["window_code"], counts["total"], counts["abnormal"], counts["held"]) == (
        "A01",
        3,
        1,
        1,
    )
    trail = await audit.history("visitor_check", old[1]["id"])
    assert [h["action"] for h in trail] == ["create", "remeasure"]
    assert all(h["before"] is None and h["after"] is None for h in trail)
    gone = await SyncChange.select(SyncChange.entity_id).where(
        (SyncChange.op == "delete") & SyncChange.entity_id.is_in([str(o["id"]) for o in old])
    )
    assert len(gone) == 3  # the phone that made them is told to drop them


async def test_purging_again_changes_nothing_and_late_records_add_to_the_counts():
    await purge_visitors(clock.now(), POLICY)
    before = await VisitorDailyCount.select().order_by(VisitorDailyCount.key)
    late = await visit(40)
    assert await purge_visitors(clock.now(), POLICY) == 1
    after = await VisitorDailyCount.select().order_by(VisitorDailyCount.key)
    day = clock.local(late["time_in"]).date()
    total = {r["day"]: r["total"] for r in after}
    assert total[day] == {r["day"]: r["total"] for r in before}.get(day, 0) + 1


async def exported(days_ago: int, search: str) -> int:
    after = {
        "format": "csv",
        "filter": {"tab": "visitors", "day": "2026-01-01", "q": search},
        "rows": 3,
        "full_numbers": False,
    }
    row = AuditEntry(
        at=clock.now() - dt.timedelta(days=days_ago),
        actor="office",
        action="export",
        entity="visitor_check",
        entity_id="",
        after=after,
    )
    await row.save()
    return row.id


async def test_an_export_past_retention_forgets_its_search_text_and_keeps_the_rest():
    old, recent = await exported(40, "旧访客"), await exported(3, "新访客")
    assert await forget_export_searches(clock.now(), POLICY) == 1
    assert await forget_export_searches(clock.now(), POLICY) == 0  # done once
    rows = (
        await AuditEntry.select().where(AuditEntry.id.is_in([old, recent])).output(load_json=True)
    )
    by_id = {r["id"]: r["after"] for r in rows}
    assert by_id[old]["filter"]["q"] == SEARCH_FORGOTTEN and "旧访客" not in str(by_id[old])
    assert (by_id[old]["rows"], by_id[old]["format"], by_id[old]["filter"]["tab"]) == (
        3,
        "csv",
        "visitors",
    )
    assert by_id[recent]["filter"]["q"] == "新访客"
