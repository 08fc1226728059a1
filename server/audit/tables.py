from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """One write or one sensitive read. The actor is copied, not referenced, so the trail
    outlives the account."""

    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=50, default="")
    actor_id = Integer(null=True, default=None)
    device = Varchar(length=64, default="")
    action = Varchar(length=20)
    entity = Varchar(length=40)
    entity_id = Varchar(length=64, index=True)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
