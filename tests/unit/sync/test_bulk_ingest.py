"""The bulk path for a batch's new readings (executemany on SQLite, COPY on PostgreSQL)
keeps every guarantee of one-by-one applying: its own answer per entry, an audit row per new
check, a rejection kept in the ledger, and a replay that changes nothing. It must not fall
back to one by one in silence: that is how a broken bulk insert once went unnoticed."""

import logging
import uuid

import pytest

from server.audit.tables import AuditEntry
from server.checks.tables import VisitorCheck
from server.devices.sync_routes import ingest_raw
from sync.ingest import Origin
from sync.tables import AppliedMutation, SyncChange
from tests.http.test_sync import visitor_create
from tests.support import reset_database

DEVICE = Origin(device="bulk-phone", user_id=None, username="bulk-phone", role="desk")


@pytest.fixture(scope="module", autouse=True)
async def empty_database():
    await reset_database()


async def test_a_mixed_batch_is_stored_together_and_answered_entry_by_entry(caplog):
    good = [visitor_create(name=f"批量{n}") for n in range(40)]
    twice = visitor_create(entity=good[0]["entity_id"])  # the same visitor, a second mutation
    bad = visitor_create(temperature="hot")
    held = visitor_create(symptoms=["cough"], travel_or_contact="yes")
    batch = [*good, bad, twice, held]
    with caplog.at_level(logging.WARNING):
        answers = await ingest_raw(batch, DEVICE, "zh")
    assert not [r for r in caplog.records if "failed" in r.getMessage()]
    statuses = [a.status.value for a in answers]
    assert statuses == ["applied"] * 40 + ["rejected", "duplicate", "applied"]
    assert answers[40].errors and "temperature" in answers[40].errors
    assert answers[41].row["id"] == good[0]["entity_id"]
    assert answers[42].row["status"] == "held"
    assert answers[0].row["phone"] == "138****1234"  # masked in the answer and the ledger

    created = [m["entity_id"] for m in (*good, held)]
    assert await VisitorCheck.count().where(VisitorCheck.id.is_in(created)) == 41
    audited = await AuditEntry.select(AuditEntry.entity_id).where(
        (AuditEntry.entity == "visitor_check") & (AuditEntry.action == "create")
    )
    assert sorted(a["entity_id"] for a in audited) == sorted(created)
    # Each new check is its own ledger entry and reaches its phone in the answer: the ledger
    # keeps the rejection alone, and the change feed has nothing to tell.
    ledger = await AppliedMutation.select(AppliedMutation.id, AppliedMutation.status)
    assert ledger == [{"id": uuid.UUID(bad["id"]), "status": "rejected"}]
    assert await SyncChange.count() == 0

    before = (await VisitorCheck.count(), await AuditEntry.count(), await SyncChange.count())
    replay = await ingest_raw(batch, DEVICE, "zh")
    assert [a.status.value for a in replay] == ["duplicate"] * 40 + [
        "rejected",
        "duplicate",
        "duplicate",
    ]
    assert replay[0].row == answers[0].row
    after = (await VisitorCheck.count(), await AuditEntry.count(), await SyncChange.count())
    assert after == before


async def test_a_bad_entry_id_is_rejected_alone():
    batch = [visitor_create(), {**visitor_create(), "id": "not-a-uuid"}, visitor_create()]
    answers = await ingest_raw(batch, DEVICE, "en")
    assert [a.status.value for a in answers] == ["applied", "rejected", "applied"]
    assert answers[1].id == "not-a-uuid" and "UUID" in answers[1].reason
