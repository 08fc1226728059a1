from piccolo.columns import Boolean, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class EmergencySwitch(Table, tablename="emergency_switch"):
    """Each switch on or off, kept: the latest row is the state in force (the log is the
    table itself)."""

    id = Serial(primary_key=True)
    active = Boolean()
    reason = Varchar(length=200, default="")
    by = Varchar(length=50)
    at = Timestamptz(default=TimestamptzNow(), index=True)
