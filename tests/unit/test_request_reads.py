"""A request's reads on one SQLite connection (server.db.request_reads): each read still sees
everything committed before it, from a transaction or a lone write."""

import pytest

from server import db
from server.emergency.tables import EmergencySwitch
from server.policy.service import load_policy, store_setting
from sync.db import is_sqlite
from tests.support import reset_database


@pytest.fixture(scope="module", autouse=True)
async def empty():
    await reset_database()


async def test_reads_see_what_was_committed_before_them():
    async with db.request_reads():
        assert (await load_policy()).fever_threshold != 37.8
        await store_setting("fever_threshold", 37.8)  # a write transaction
        assert (await load_policy()).fever_threshold == 37.8
        assert await EmergencySwitch.count() == 0
        await EmergencySwitch.insert(EmergencySwitch(active=True, reason="r", by="t"))
        assert await EmergencySwitch.count() == 1  # a lone write
        reads = db._REQUEST_READS.get()
        if is_sqlite():  # the reads shared one connection; PostgreSQL has its pool
            assert reads is not None and reads.connection is not None
    assert db._REQUEST_READS.get() is None and (reads is None or reads.closed)
