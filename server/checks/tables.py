from enum import StrEnum

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.accounts.tables import UserAccount
from server.org.tables import Person, Window


class CheckStatus(StrEnum):
    """Where a check stands under SPEC rule 3."""

    normal = "normal"
    remeasure = "remeasure"  # first reading abnormal, waiting for the second
    cleared = "cleared"  # abnormal first reading, normal re-measure
    held = "held"  # 暂留: abnormal re-measure, or symptoms with travel/contact


class Direction(StrEnum):
    arrival = "arrival"  # 上班
    leaving = "leaving"  # 下班


class VisitorCheck(Table, tablename="visitor_check"):
    """A visitor registered and measured at the entrance (来人登记 + 测温). The id is made where
    the entry is made, so a resubmission can never store a second copy."""

    id = UUID(primary_key=True)
    name = Varchar(length=50)
    phone = Varchar(length=11)
    id_number = Varchar(length=18, default="")
    purpose = Varchar(length=100, default="")
    window = ForeignKey(Window, null=True, on_delete=OnDelete.restrict)
    temperature = DoublePrecision()
    remeasure_temperature = DoublePrecision(null=True, default=None)
    symptoms = Varchar(length=100, default="")
    symptoms_other = Varchar(length=100, default="")
    travel_or_contact = Boolean(default=False)
    status = Varchar(length=10, choices=CheckStatus)
    time_in = Timestamptz(index=True)
    time_out = Timestamptz(null=True, default=None)
    device = Varchar(length=64, default="")
    recorded_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
    # Per field: the version it last changed at, who changed it and their clock stamp.
    field_meta = JSON(default={})
    # "future"/"past" when the phone's capture time could not be right.
    clock_flag = Varchar(length=10, default="")


class StaffCheck(Table, tablename="staff_check"):
    """A staff member measured at the desk on arrival or on leaving (上下班检测)."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict)
    direction = Varchar(length=10, choices=Direction)
    temperature = DoublePrecision()
    remeasure_temperature = DoublePrecision(null=True, default=None)
    status = Varchar(length=10, choices=CheckStatus)
    taken_at = Timestamptz(index=True)
    device = Varchar(length=64, default="")
    recorded_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
    clock_flag = Varchar(length=10, default="")


class VisitorDailyCount(Table, tablename="visitor_daily_count"):
    """What stays of a day's visitor checks once the records themselves are purged after
    the retention period: counts per window, no one's name or number."""

    key = Varchar(length=40, primary_key=True)  # "<day>|<window code>"
    day = Date(index=True)
    window_code = Varchar(length=20, default="")
    total = Integer(default=0)
    abnormal = Integer(default=0)
    held = Integer(default=0)
