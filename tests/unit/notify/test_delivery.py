"""The outbox: written with the change that causes it, delivered to a real HTTP receiver and a
real SMTP server, retried with backoff while the receiver is down, never lost by a worker
that dies, never sent twice by two workers racing."""

import asyncio
import datetime as dt

import pytest

from server.audit.service import Actor
from server.db import write_transaction
from server.incidents.service import raise_incident
from server.notify import outbox, senders, worker
from server.notify.service import Audience, Note, enqueue
from server.notify.tables import InAppNotification, OutboxMessage, OutboxStatus

OFFICE = Actor(username="office")


def note(n: int = 0) -> Note:
    return Note("incident_raised", "Incident raised", "Incident %(n)s", {"n": n})


async def urgent(n: int) -> None:
    await enqueue(f"test:{n}", note(n), Audience(roles=("office",)), urgent=True)


async def drain(owner: str, send=senders.send) -> int:
    """Rounds of the worker until a round finds nothing due; how many it sent."""
    total = 0
    while True:
        done = await worker.deliver_due(owner, send)
        total += done["sent"]
        if not done["sent"] and not done["failed"]:
            return total


async def test_an_incident_writes_its_notifications_in_its_own_transaction(frozen, webhook, smtp):
    incident = await raise_incident("manual", None, "张三", "A01", "38.5 °C", frozen(), OFFICE)
    rows = await OutboxMessage.select()
    assert sorted((r["channel"], r["recipient"]) for r in rows) == [
        ("email", "office@hall.example"),
        ("email", "zuzhang@hall.example"),
        ("webhook", webhook.url),
    ]
    assert {r["status"] for r in rows} == {OutboxStatus.pending}
    assert all(str(incident) in r["event"] for r in rows)
    in_app = await InAppNotification.select(InAppNotification.user.username.as_alias("who"))
    assert sorted(r["who"] for r in in_app) == ["leader", "office"]


async def test_a_change_rolled_back_leaves_no_notification(frozen, webhook):
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await raise_incident("manual", None, "李四", "", "", frozen(), OFFICE)
            raise RuntimeError("the causing change fails after the incident was written")
    assert await OutboxMessage.count() == 0
    assert await InAppNotification.count() == 0


async def test_enqueuing_a_cause_twice_writes_it_once(frozen, webhook):
    assert await enqueue("test:same", note(), Audience(roles=("office",)), urgent=True)
    assert not await enqueue("test:same", note(), Audience(roles=("office",)), urgent=True)
    assert await OutboxMessage.count() == 1
    assert await InAppNotification.count() == 1


async def test_delivered_to_the_webhook_and_by_smtp_once(frozen, webhook, smtp):
    await raise_incident("manual", None, "王五", "A02 社保", "38.6 °C", frozen(), OFFICE)
    assert await drain("w1") == 3
    [(headers, payload)] = webhook.received
    assert payload["msgtype"] == "text"
    assert "王五" in payload["text"]["content"]
    assert "A02 社保" in payload["text"]["content"]
    rows = {r["channel"] + r["recipient"]: r for r in await OutboxMessage.select()}
    assert headers["x-hallwatch-delivery"] == str(rows["webhook" + webhook.url]["id"])
    assert sorted(tuple(to) for to, _ in smtp.messages) == [
        ("office@hall.example",),
        ("zuzhang@hall.example",),
    ]
    for to, message in smtp.messages:
        assert message["Message-ID"] == f"<{rows['email' + to[0]]['id']}@hallwatch>"
        assert message["From"] == "hallwatch@hall.example"
        assert "王五" in message.get_payload(decode=True).decode()
    assert {r["status"] for r in rows.values()} == {OutboxStatus.sent}
    assert await drain("w1") == 0
    assert len(webhook.received) == 1 and len(smtp.messages) == 2


async def test_receiver_down_then_up_is_retried_with_backoff_and_delivered_once(frozen, webhook):
    await urgent(1)
    await webhook.down()
    assert await worker.deliver_due("w1") == {"sent": 0, "failed": 1}
    [row] = await OutboxMessage.select()
    assert row["attempts"] == 1 and row["status"] == OutboxStatus.pending
    assert row["next_attempt_at"] == frozen() + dt.timedelta(seconds=15)
    assert "ConnectError" in row["last_error"]

    # Not before its time; then a second failure doubles the wait.
    assert await worker.deliver_due("w1") == {"sent": 0, "failed": 0}
    frozen.advance(seconds=15)
    assert await worker.deliver_due("w1") == {"sent": 0, "failed": 1}
    row = await OutboxMessage.select().first()
    assert row["next_attempt_at"] == frozen() + dt.timedelta(seconds=30)

    # A receiver answering 500 is a failure too.
    await webhook.up()
    webhook.failing = True
    frozen.advance(seconds=30)
    assert await worker.deliver_due("w1") == {"sent": 0, "failed": 1}
    assert "HTTP 500" in (await OutboxMessage.select().first())["last_error"]

    webhook.failing = False
    frozen.advance(minutes=1)
    assert await worker.deliver_due("w1") == {"sent": 1, "failed": 0}
    frozen.advance(hours=2)
    assert await drain("w1") == 0
    assert len(webhook.received) == 1
    row = await OutboxMessage.select().first()
    assert row["status"] == OutboxStatus.sent and row["attempts"] == 4


def test_backoff_doubles_and_stops_at_an_hour():
    waits = [outbox.backoff(n).total_seconds() for n in range(1, 11)]
    assert waits[:5] == [15, 30, 60, 120, 240]
    assert waits[-1] == 3600 and max(waits) == 3600


async def test_a_worker_dying_mid_batch_loses_nothing_and_repeats_nothing(frozen, webhook):
    for n in range(5):
        await urgent(n)
    sent_by_first = 0

    async def dies_at_the_third(row, targets):
        nonlocal sent_by_first
        if sent_by_first == 2:
            raise asyncio.CancelledError  # the process is killed before the third send
        await senders.send(row, targets)
        sent_by_first += 1

    with pytest.raises(asyncio.CancelledError):
        await worker.deliver_due("dying", dies_at_the_third)
    assert len(webhook.received) == 2

    # Its leased rows wait for the lease to run out: a new worker does not touch them yet.
    assert await drain("restarted") == 0
    frozen.advance(minutes=6)
    assert await drain("restarted") == 3
    assert sorted(webhook.delivery_ids()) == sorted(
        str(r["id"]) for r in await OutboxMessage.select(OutboxMessage.id)
    )
    assert await OutboxMessage.count().where(OutboxMessage.status == OutboxStatus.sent) == 5


async def test_dying_between_send_and_mark_repeats_with_the_same_delivery_id(frozen, webhook):
    """The documented window: the receiver accepted it, the worker died before marking it
    sent. The repeat carries the same delivery id, so the receiver can drop it."""
    await urgent(1)

    async def sent_then_killed(row, targets):
        await senders.send(row, targets)
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await worker.deliver_due("dying", sent_then_killed)
    frozen.advance(minutes=6)
    assert await drain("restarted") == 1
    first, second = webhook.delivery_ids()
    assert first == second


async def test_two_workers_racing_deliver_each_message_once(frozen, webhook):
    for n in range(40):
        await urgent(n)
    counts = await asyncio.gather(drain("worker-a"), drain("worker-b"), drain("worker-c"))
    assert sum(counts) == 40
    ids = webhook.delivery_ids()
    assert len(ids) == 40 and len(set(ids)) == 40
    assert await OutboxMessage.count().where(OutboxMessage.status == OutboxStatus.sent) == 40


async def test_claims_of_racing_workers_never_overlap(frozen, webhook):
    """The claim itself, without sending: on PostgreSQL SKIP LOCKED hands out disjoint
    batches, on SQLite the IMMEDIATE transaction does."""
    for n in range(30):
        await urgent(n)
    batches = await asyncio.gather(*(outbox.claim(f"w{i}", limit=7) for i in range(5)))
    ids = [row["id"] for batch in batches for row in batch]
    assert len(ids) == len(set(ids)) == 30
