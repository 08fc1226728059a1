"""Periodic upkeep: purge visitor records past retention, prune the sync change feed, drop
expired sessions. Every step is idempotent, so several app processes may each run it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from server import clock
from server.accounts.store import DatabaseStore
from server.checks.retention import purge_visitors
from server.policy.service import load_policy
from sync import feed

INTERVAL_SECONDS = 6 * 3600
log = logging.getLogger(__name__)


async def run_once(now: dt.datetime | None = None) -> dict:
    now = now or clock.now()
    purged = await purge_visitors(now, await load_policy())
    await feed.prune(now)
    await DatabaseStore().delete_expired()
    return {"visitor_records_purged": purged}


async def forever() -> None:
    while True:
        try:
            done = await run_once()
            log.info("housekeeping: %s", done)
        except Exception:  # keep the app serving; the next round tries again
            log.exception("housekeeping failed")
        await asyncio.sleep(INTERVAL_SECONDS)
