"""The delivery worker: every few seconds, claim what is due and send it. Each app process
runs one; the claim's lease keeps them off each other's rows."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid

from server.notify import config, outbox, senders

POLL_SECONDS = 3
log = logging.getLogger(__name__)


def worker_id() -> str:
    """Who holds a lease, for the logs: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def deliver_due(owner: str, send=senders.send) -> dict:
    """One round: claim due rows and try each once. Counts of sent and failed."""
    rows = await outbox.claim(owner)
    targets = config.targets()
    sent = failed = 0
    for row in rows:
        try:
            await send(row, targets)
        except Exception as error:  # any failure of the receiver or the network: retry later
            retry_at = await outbox.mark_failed(row, f"{type(error).__name__}: {error}")
            log.warning(
                "delivery %s to %s failed (%s); again at %s",
                row["id"],
                row["channel"],
                error,
                retry_at,
            )
            failed += 1
            continue
        await outbox.mark_sent(row["id"])
        sent += 1
    return {"sent": sent, "failed": failed}


async def forever(owner: str) -> None:
    while True:
        try:
            done = await deliver_due(owner)
            if not any(done.values()):
                await asyncio.sleep(POLL_SECONDS)
        except Exception:  # keep the app serving; the next round tries again
            log.exception("notification delivery failed")
            await asyncio.sleep(POLL_SECONDS)
