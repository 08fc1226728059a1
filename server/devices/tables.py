from piccolo.columns import Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Device(Table):
    """An enrolled desk phone. Only hashes of its token and enrollment code are kept; the
    token lets its queue sync even when the person's login has expired."""

    id = Varchar(length=40, primary_key=True)
    name = Varchar(length=60)
    token_hash = Varchar(length=64, default="", index=True)
    code_hash = Varchar(length=64, default="", index=True)
    code_expires_at = Timestamptz(null=True, default=None)
    enrolled_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    last_seen_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=50, default="")
    created_at = Timestamptz(default=TimestamptzNow())
