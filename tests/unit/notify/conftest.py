"""The notify tests: a seeded database, a controlled clock, real receivers."""

from __future__ import annotations

import datetime as dt

import pytest

from server import clock
from server.notify.tables import InAppNotification, NotificationEvent, OutboxMessage, ScheduledJob
from tests.unit.notify.receivers import SmtpReceiver, WebhookReceiver

# 2020-02-10 10:00 in the hall (UTC+8).
START = dt.datetime(2020, 2, 10, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
async def organisation(organisation_and_logins):
    return await organisation_and_logins.restore()


@pytest.fixture(autouse=True)
async def empty_outbox():
    """Each test starts without notifications, jobs or incidents."""
    from server.incidents.tables import Incident, IncidentStep

    tables = (InAppNotification, OutboxMessage, NotificationEvent, ScheduledJob)
    for table in (*tables, IncidentStep, Incident):
        await table.delete(force=True)


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


@pytest.fixture
def frozen(monkeypatch) -> Clock:
    """clock.now() under the test's control, starting at START."""
    controlled = Clock(START)
    monkeypatch.setattr(clock, "now", controlled)
    return controlled


@pytest.fixture(autouse=True)
def fresh_scheduler(monkeypatch):
    """Each test's scheduler process looks at the settings for the first time: what another
    test's ticks saw, at another frozen moment, is not this test's past."""
    from server.notify.scheduler import _Planned

    monkeypatch.setattr(_Planned, "policy", None)
    monkeypatch.setattr(_Planned, "looked_at", None)


@pytest.fixture
async def webhook(monkeypatch):
    receiver = WebhookReceiver()
    await receiver.up()
    monkeypatch.setenv("HALLWATCH_WEBHOOK_URL", receiver.url)
    yield receiver
    await receiver.down()


@pytest.fixture
def smtp(monkeypatch):
    receiver = SmtpReceiver()
    receiver.start()
    monkeypatch.setenv("HALLWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HALLWATCH_SMTP_PORT", str(receiver.port))
    monkeypatch.setenv("HALLWATCH_SMTP_FROM", "hallwatch@hall.example")
    monkeypatch.setenv("HALLWATCH_NOTIFY_EMAIL_OFFICE", "office@hall.example")
    monkeypatch.setenv("HALLWATCH_NOTIFY_EMAIL_LEADER", "zuzhang@hall.example")
    monkeypatch.setenv("HALLWATCH_NOTIFY_EMAIL_HEADS", "办公室=head-bgs@hall.example")
    yield receiver
    receiver.stop()
