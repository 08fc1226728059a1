"""The change feed's cursor: every change is delivered, none is skipped, on both engines."""

import os

import asyncpg
import pytest

from sync import feed
from sync.db import write_transaction
from tests.support import reset_database

ON_POSTGRES = os.environ["HALLWATCH_DB"].startswith("postgres")


@pytest.fixture(scope="module", autouse=True)
async def empty_feed():
    await reset_database()


async def pull_all(cursor: str, device: str = "") -> tuple[list[str], str]:
    page = await feed.changes_since(int(cursor), device)
    return [c["entity_id"] for c in page.changes], page.cursor


async def test_changes_come_once_in_commit_order():
    start = await feed.current_cursor()
    for name in ("a", "b", "c"):
        async with write_transaction():
            await feed.note_change("visitor_check", name)
    seen, cursor = await pull_all(start)
    assert seen == ["a", "b", "c"]
    again, _ = await pull_all(cursor)
    assert again == []


async def test_a_device_sees_its_own_and_shared_changes_only():
    start = await feed.current_cursor()
    async with write_transaction():
        await feed.note_change("visitor_check", "mine", device="dev-1")
        await feed.note_change("visitor_check", "theirs", device="dev-2")
        await feed.note_change("setting", "shared")
    seen, _ = await pull_all(start, "dev-1")
    assert sorted(seen) == ["mine", "shared"]


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers; the race is PostgreSQL's")
async def test_a_transaction_that_commits_late_is_not_skipped():
    start = await feed.current_cursor()
    late = await asyncpg.connect(os.environ["HALLWATCH_DB"])
    try:
        transaction = late.transaction()
        await transaction.start()
        # This transaction takes its id (and sequence value) first but commits last.
        await late.execute(
            "INSERT INTO sync_change (txid, entity, entity_id, device, op, changed_at) "
            "VALUES (pg_current_xact_id()::text::bigint, 'visitor_check', 'late', '', "
            "'upsert', now())"
        )
        async with write_transaction():
            await feed.note_change("visitor_check", "early")
        first, cursor = await pull_all(start)
        await transaction.commit()
        second, cursor = await pull_all(cursor)
        third, _ = await pull_all(cursor)
    finally:
        await late.close()
    delivered = first + second + third
    assert sorted(delivered) == ["early", "late"]
    assert "late" not in first  # it had not committed when the first pull ran
