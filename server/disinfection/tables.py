from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.accounts.tables import UserAccount


class DisinfectionPoint(Table, tablename="disinfection_point"):
    """A fixed point disinfected on a schedule (定点消毒): the hall, a window, a lift, the
    toilets, door handles … with how often a day, and with what agent at what strength."""

    id = UUID(primary_key=True)
    name = Varchar(length=50, unique=True)
    area = Varchar(length=50, default="")
    times_per_day = Integer(default=2)
    agent = Varchar(length=50, default="")  # 消毒剂: e.g. 含氯消毒液, 75%酒精
    concentration = Varchar(length=50, default="")  # e.g. 500 mg/L
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class DisinfectionRound(Table, tablename="disinfection_round"):
    """One round of disinfection at a point (消毒记录), logged at the desk, offline too. An
    append-only event: the id is made on the phone, so a resent round is stored once."""

    id = UUID(primary_key=True)
    point = ForeignKey(DisinfectionPoint, null=False, on_delete=OnDelete.restrict, index=True)
    done_at = Timestamptz(index=True)
    agent = Varchar(length=50, default="")
    concentration = Varchar(length=50, default="")
    done_by = Varchar(length=50)  # who disinfected: often property staff not in the roster
    device = Varchar(length=64, default="")
    recorded_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    clock_flag = Varchar(length=10, default="")
