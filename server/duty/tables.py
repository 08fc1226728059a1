from enum import StrEnum

from piccolo.columns import UUID, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.org.tables import Department, Person, Window


class Post(StrEnum):
    """Where a shift is served (SPEC rule 8)."""

    window = "window"  # a resident window (进驻窗口): never empty during opening hours
    hall = "hall"  # the hall floor: guidance, queues, the entrance
    phone = "phone"  # the duty phone (值班电话): reachable 24 hours
    leader = "leader"  # the leader of the day (领队值班)


class DutyShift(Table, tablename="duty_shift"):
    """One person on one post for part of one day. `key` is the shift's natural identity
    (day, post, window, person, start), unique, so copying a week twice or resubmitting a form
    stores it once. Times are the hall's local "HH:MM"; "24:00" ends a shift at midnight."""

    id = UUID(primary_key=True)
    key = Varchar(length=120, unique=True)
    day = Date(index=True)
    post = Varchar(length=10, choices=Post)
    window = ForeignKey(Window, null=True, on_delete=OnDelete.restrict)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    # The person's department when the shift was planned: the week view and the head's
    # right to edit go by it.
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict, index=True)
    start = Varchar(length=5)
    end = Varchar(length=5)
    phone = Varchar(length=20, default="")  # the number the duty phone answers on
    created_by = Varchar(length=50, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class LogKind(StrEnum):
    handover = "handover"  # 交接班
    event = "event"  # 值班事件


class DutyLogEntry(Table, tablename="duty_log_entry"):
    """A line of a shift's duty log (值班记录); append-only, its id made with the form."""

    id = UUID(primary_key=True)
    shift = ForeignKey(DutyShift, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=10, choices=LogKind)
    text = Text()
    at = Timestamptz()
    by = Varchar(length=50)
