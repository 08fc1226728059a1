"""Claiming due outbox rows with a lease, and recording how each delivery went.

A worker claims a batch (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so racing workers take
different rows without waiting; SQLite: an IMMEDIATE transaction, which lets one writer at a
time in), stamps its lease, sends outside any transaction, then marks each row sent or
schedules the retry. A worker that dies leaves its rows leased; when the lease runs out
another worker takes them over, so nothing is lost.

The one window: a worker that dies after the receiver accepted a message but before marking
it sent will see it sent again after the lease. The repeat carries the same delivery id
(X-Hallwatch-Delivery header, Message-ID), so the receiver can drop it."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.db import write_transaction
from server.notify.tables import OutboxMessage, OutboxStatus
from sync.db import is_sqlite

LEASE = dt.timedelta(minutes=5)  # longer than a batch's sends, at their timeout, can take
BATCH = 10
FIRST_RETRY = dt.timedelta(seconds=15)
LONGEST_WAIT = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure: 15 s, 30 s, 1 min, … at most 1 hour, so a
    receiver down for a day is retried hourly and nothing is given up."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _due(now: dt.datetime):
    return (
        (OutboxMessage.status == OutboxStatus.pending)
        & (OutboxMessage.next_attempt_at <= now)
        & (OutboxMessage.lease_until.is_null() | (OutboxMessage.lease_until < now))
    )


async def claim(owner: str, now: dt.datetime | None = None, limit: int = BATCH) -> list[dict]:
    """Lease up to `limit` due rows to `owner`; the rows, oldest due first."""
    now = now or clock.now()
    # A plain read first: an idle poll must not take SQLite's write lock every few seconds.
    if not await OutboxMessage.exists().where(_due(now)):
        return []
    async with write_transaction():
        query = (
            OutboxMessage.select(OutboxMessage.id)
            .where(_due(now))
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
        )
        if not is_sqlite():
            query = query.lock_rows(skip_locked=True)
        ids = [r["id"] for r in await query]
        if not ids:
            return []
        await OutboxMessage.update(
            {OutboxMessage.lease_owner: owner, OutboxMessage.lease_until: now + LEASE}
        ).where(OutboxMessage.id.is_in(ids))
        return (
            await OutboxMessage.select()
            .where(OutboxMessage.id.is_in(ids))
            .order_by(OutboxMessage.next_attempt_at)
        )


async def mark_sent(row_id, now: dt.datetime | None = None) -> None:
    await OutboxMessage.update(
        {
            OutboxMessage.status: OutboxStatus.sent,
            OutboxMessage.sent_at: now or clock.now(),
            OutboxMessage.attempts: OutboxMessage.attempts + 1,
            OutboxMessage.lease_until: None,
            OutboxMessage.last_error: "",
        }
    ).where((OutboxMessage.id == row_id) & (OutboxMessage.status == OutboxStatus.pending))


async def mark_failed(row: dict, error: str, now: dt.datetime | None = None) -> dt.datetime:
    """Count the failure and set the next attempt; when that is."""
    now = now or clock.now()
    attempts = row["attempts"] + 1
    retry_at = now + backoff(attempts)
    await OutboxMessage.update(
        {
            OutboxMessage.attempts: attempts,
            OutboxMessage.next_attempt_at: retry_at,
            OutboxMessage.lease_until: None,
            OutboxMessage.last_error: error[:500],
        }
    ).where((OutboxMessage.id == row["id"]) & (OutboxMessage.status == OutboxStatus.pending))
    return retry_at
