from enum import StrEnum

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.accounts.tables import UserAccount
from server.org.tables import Person


class NoticeKind(StrEnum):
    """What the plan asks the office to publish (三(一)3, 四(三))."""

    notice = "notice"  # 通告/通知
    tip = "tip"  # 健康提示
    clinic = "clinic"  # 就医指南: where the fever clinic is and how to get there


class NoticeStatus(StrEnum):
    draft = "draft"
    published = "published"
    withdrawn = "withdrawn"


class Notice(Table):
    """A notice written by the office in Markdown. Once published its text is fixed, so an
    acknowledgement always refers to the text that was read; a change is a new notice."""

    id = UUID(primary_key=True)
    kind = Varchar(length=10, choices=NoticeKind, default=NoticeKind.notice)
    title = Varchar(length=100)
    body = Text(default="")  # Markdown, sanitised when it is shown
    to_staff = Boolean(default=True)
    to_public = Boolean(default=False)
    status = Varchar(length=10, choices=NoticeStatus, default=NoticeStatus.draft, index=True)
    shown_from = Date(null=True, default=None)  # first day it is current (publish day if none)
    shown_until = Date(null=True, default=None)  # last day it is current; none: until withdrawn
    published_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class NoticeRead(Table, tablename="notice_read"):
    """A staff member's acknowledgement (已读) of a notice, once per person."""

    key = Varchar(length=80, primary_key=True)  # "<notice id>|<person id>"
    notice = ForeignKey(Notice, null=False, on_delete=OnDelete.restrict, index=True)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.restrict, index=True)
    account = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)
    read_at = Timestamptz(default=TimestamptzNow())


class NoticeReminder(Table, tablename="notice_reminder"):
    """The office reminded one person to read a notice. A round is one press of "remind";
    its id comes from the form, so pressing twice by a resubmission reminds once."""

    id = Serial(primary_key=True)
    round = UUID(index=True)
    notice = ForeignKey(Notice, null=False, on_delete=OnDelete.restrict, index=True)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(default=TimestamptzNow())
    by = Varchar(length=50, default="")
