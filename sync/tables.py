from piccolo.columns import JSON, UUID, BigInt, BigSerial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AppliedMutation(Table, tablename="sync_applied_mutation"):
    """The ledger: every mutation the server has answered for good, with its answer. It is
    written in the same transaction as the mutation's effect, so a replay finds it and
    changes nothing."""

    id = UUID(primary_key=True)
    device = Varchar(length=64, default="")
    kind = Varchar(length=50)
    # The retention purge finds a purged record's answers by it.
    entity_id = Varchar(length=64, default="", index=True)
    status = Varchar(length=10)
    result = JSON()
    received_at = Timestamptz(default=TimestamptzNow())


class SyncChange(Table, tablename="sync_change"):
    """The change feed phones pull from: one row per write to a record a phone holds.
    `txid` is the writing transaction (PostgreSQL's xid; the sequence on SQLite, whose
    writers are serialised), so a pull never skips a row that commits late."""

    seq = BigSerial(primary_key=True)
    txid = BigInt(index=True)
    entity = Varchar(length=40)
    entity_id = Varchar(length=64)
    device = Varchar(length=64, default="", index=True)
    op = Varchar(length=10, default="upsert")
    changed_at = Timestamptz(default=TimestamptzNow())


class SyncFeedFloor(Table, tablename="sync_feed_floor"):
    """The highest cursor position whose changes have been pruned: a phone whose cursor is
    below it may have missed changes and starts afresh."""

    position = BigInt(default=0)


class SyncConflict(Table, tablename="sync_conflict"):
    """A change the server would not apply by itself (an abnormal reading or a hold turned
    normal), waiting for the office with both versions."""

    id = UUID(primary_key=True)
    entity = Varchar(length=40)
    entity_id = Varchar(length=64, index=True)
    mutation_id = UUID()
    device = Varchar(length=64, default="")
    proposed_by = Varchar(length=50, default="")
    proposed = JSON()
    current = JSON()
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = Varchar(length=50, default="")
    resolution = Varchar(length=10, default="")
