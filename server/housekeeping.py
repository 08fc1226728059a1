"""Periodic upkeep: purge visitor records past retention (and the search text of exports
that old), prune the sync change feed, drop expired sessions. Every step is idempotent. The
scheduler (server/notify/jobs.py) runs it every 6 hours, once across all app processes."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.accounts.store import DatabaseStore
from server.checks.retention import forget_export_searches, purge_visitors
from server.policy.service import load_policy
from server.visitors.service import purge as purge_preregistrations
from sync import feed


async def run_once(now: dt.datetime | None = None) -> dict:
    now = now or clock.now()
    policy = await load_policy()
    purged = await purge_visitors(now, policy)
    await forget_export_searches(now, policy)
    preregs = await purge_preregistrations(now, policy)
    await feed.prune(now)
    await DatabaseStore().delete_expired()
    return {"visitor_records_purged": purged, "preregistrations_purged": preregs}
