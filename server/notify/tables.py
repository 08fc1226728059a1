"""Notifications (通知) and the scheduler's jobs.

Every notification is written in the transaction of the change that causes it: an in-app row
per account, and for the other channels (group-robot webhook, e-mail) an outbox row that a
background worker delivers, with retries, after the change has committed."""

from enum import StrEnum

from piccolo.columns import JSON, UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.accounts.tables import UserAccount


class Channel(StrEnum):
    webhook = "webhook"  # a WeCom-style group robot
    email = "email"


class OutboxStatus(StrEnum):
    held = "held"  # not urgent: waits for the daily digest
    pending = "pending"  # to be delivered (again) from next_attempt_at
    sent = "sent"
    digested = "digested"  # went out inside a digest message


class NotificationEvent(Table, tablename="notification_event"):
    """One cause of notifications ("incident_raised:<id>"): enqueuing the same cause again
    changes nothing, so a job may look at the same overdue incident every few minutes."""

    key = Varchar(length=200, primary_key=True)
    kind = Varchar(length=30)
    urgent = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class InAppNotification(Table, tablename="in_app_notification"):
    """A notification on one account's /notifications list: the msgid and its parameters,
    translated when shown, in the reader's language."""

    id = UUID(primary_key=True)
    key = Varchar(length=250, unique=True)
    user = ForeignKey(UserAccount, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=30)
    urgent = Boolean(default=False)
    message = Varchar(length=300)
    params = JSON(default={})
    link = Varchar(length=200, default="")
    created_at = Timestamptz(index=True)
    read_at = Timestamptz(null=True, default=None)


class OutboxMessage(Table, tablename="outbox_message"):
    """One delivery to one target. `id` travels with it (X-Hallwatch-Delivery header,
    Message-ID) so that a receiver can drop the repeat that a crash between sending and
    marking it sent can cause."""

    id = UUID(primary_key=True)
    key = Varchar(length=400, unique=True)
    event = Varchar(length=200, default="")
    channel = Varchar(length=10, choices=Channel)
    recipient = Varchar(length=300)
    kind = Varchar(length=30)
    subject = Varchar(length=200)
    body = Text()
    status = Varchar(length=10, choices=OutboxStatus, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    lease_owner = Varchar(length=80, default="")
    lease_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    digest = Varchar(length=400, default="")  # the digest's key, once it carried this one
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)


class ScheduledJob(Table, tablename="scheduled_job"):
    """A job of the scheduler and when it is next due; the lease lets one process of many
    run it, and lets another take over when that process dies mid-run."""

    name = Varchar(length=50, primary_key=True)
    next_run_at = Timestamptz()
    lease_owner = Varchar(length=80, default="")
    lease_until = Timestamptz(null=True, default=None)
    last_started_at = Timestamptz(null=True, default=None)
    last_finished_at = Timestamptz(null=True, default=None)
    last_result = Text(default="")
    last_error = Text(default="")
    runs = Integer(default=0)
    # When this job was first registered: what it could not have watched before (null for the
    # jobs registered before the column existed).
    registered_at = Timestamptz(null=True, default=None)
