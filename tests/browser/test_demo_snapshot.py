"""The browser modules share one `hallwatch seed-demo` (conftest.py, `demo_database`): each
must still start from exactly the seeded state, whatever the module before it changed."""

import pytest

from server import clock
from server.accounts.tables import UserAccount
from server.audit.tables import AuditEntry
from tests.support import fingerprint

pytestmark = pytest.mark.browser

DEMO_LOGINS = {"admin", "leader", "office", "head", "staff", "desk"}


async def _next_audit_id() -> int:
    """The id the next audit row gets: where the table's identity counter stands."""
    row = await AuditEntry.insert(
        AuditEntry(actor="test", action="test", entity="test", entity_id="1")
    ).returning(AuditEntry.id)
    return row[0]["id"]


async def test_a_restore_brings_back_the_seeded_demo_after_changes(demo_database):
    await demo_database.restore()
    seeded = await fingerprint()
    assert seeded == demo_database.snapshot.fingerprint
    assert set(await UserAccount.select(UserAccount.username).output(as_list=True)) == DEMO_LOGINS
    # Audited rows, not visitors: seed-demo --days 1 records none before the hall opens.
    audited = await AuditEntry.count()
    assert audited > 0, "seed-demo audits what it creates"
    first_new_id = await _next_audit_id()

    # What a module may do: add rows (moving identity counters), change and delete others.
    await _next_audit_id()
    await UserAccount.update({UserAccount.active: False}, force=True)
    await AuditEntry.delete().where(AuditEntry.id < first_new_id)
    assert await fingerprint() != seeded

    await demo_database.restore()
    assert await fingerprint() == seeded
    assert await UserAccount.count().where(UserAccount.active == True) == len(DEMO_LOGINS)  # noqa: E712
    assert await AuditEntry.count() == audited
    # The counters went back too: the next row gets the same id as the first one above.
    assert await _next_audit_id() == first_new_id
    assert demo_database.seeded == clock.today()
    await demo_database.restore()  # as seeded, for whichever module uses it next
