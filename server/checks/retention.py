"""Visitor records are kept for the retention period (setting, default 28 days) and then
purged; what stays is each day's counts per window. The trail of a purged record keeps who
did what and when, but no longer its contents (PIPL: personal data no longer than needed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from server import clock
from server.audit.tables import AuditEntry
from server.checks.queries import ABNORMAL
from server.checks.tables import CheckStatus, VisitorCheck, VisitorDailyCount
from server.db import write_transaction
from server.policy.service import Policy
from sync.feed import note_change
from sync.tables import AppliedMutation, SyncConflict

BATCH = 2000
PURGED_ANSWER = {"status": "duplicate"}  # a late replay of a purged entry stores nothing


def cutoff(now: dt.datetime, policy: Policy) -> dt.datetime:
    """Records that came in before this instant are past the retention period."""
    first_kept_day = now.astimezone(clock.hall_zone()).date() - dt.timedelta(
        days=policy.visitor_retention_days
    )
    return clock.day_bounds(first_kept_day)[0]


def daily_counts(rows: list[dict]) -> Counter:
    """(day, window code) → Counter of total/abnormal/held for these visitor rows."""
    counts: Counter = Counter()
    for row in rows:
        key = (clock.local(row["time_in"]).date(), row["window_code"] or "")
        counts[key + ("total",)] += 1
        counts[key + ("abnormal",)] += row["status"] in ABNORMAL
        counts[key + ("held",)] += row["status"] == CheckStatus.held
    return counts


async def _add_counts(counts: Counter) -> None:
    for day, window in {(d, w) for d, w, _ in counts}:
        key = f"{day.isoformat()}|{window}"
        add = {k: counts[(day, window, k)] for k in ("total", "abnormal", "held")}
        row = await VisitorDailyCount.select().where(VisitorDailyCount.key == key).first()
        if row is None:
            await VisitorDailyCount.insert(
                VisitorDailyCount(key=key, day=day, window_code=window, **add)
            )
        else:
            await VisitorDailyCount.update(
                {getattr(VisitorDailyCount, k): row[k] + v for k, v in add.items()}
            ).where(VisitorDailyCount.key == key)


async def purge_visitors(now: dt.datetime, policy: Policy) -> int:
    """Purge visitor records past the retention period, in batches; how many went."""
    purged = 0
    while True:
        rows = (
            await VisitorCheck.select(
                VisitorCheck.id,
                VisitorCheck.time_in,
                VisitorCheck.status,
                VisitorCheck.device,
                VisitorCheck.window.code.as_alias("window_code"),
            )
            .where(VisitorCheck.time_in < cutoff(now, policy))
            .limit(BATCH)
        )
        if not rows:
            return purged
        ids = [r["id"] for r in rows]
        texts = [str(i) for i in ids]
        async with write_transaction():
            await _add_counts(daily_counts(rows))
            await AuditEntry.update({AuditEntry.before: None, AuditEntry.after: None}).where(
                (AuditEntry.entity == "visitor_check") & AuditEntry.entity_id.is_in(texts)
            )
            await SyncConflict.delete().where(
                (SyncConflict.entity == "visitor_check") & SyncConflict.entity_id.is_in(texts)
            )
            await AppliedMutation.update({AppliedMutation.result: PURGED_ANSWER}).where(
                AppliedMutation.entity_id.is_in(texts)
            )
            await VisitorCheck.delete().where(VisitorCheck.id.is_in(ids))
            for row in rows:
                if row["device"]:
                    await note_change("visitor_check", row["id"], row["device"], op="delete")
        purged += len(rows)


SEARCH_FORGOTTEN = "…"


def _search(after: dict | None) -> str:
    return ((after or {}).get("filter") or {}).get("q") or ""


async def forget_export_searches(now: dt.datetime, policy: Policy) -> int:
    """An export's audit row keeps the list filter it exported, whose search text may be a
    visitor's name or number. Past the retention period that text goes as the records it
    found went; who exported what kind of list, when, how many rows and whether in full stay.
    How many rows lost their text."""
    old = (
        (AuditEntry.action == "export")
        & AuditEntry.entity.is_in(["visitor_check", "staff_check"])
        & (AuditEntry.at < cutoff(now, policy))
    )
    rows = (
        await AuditEntry.select(AuditEntry.id, AuditEntry.after).where(old).output(load_json=True)
    )
    searched = [r for r in rows if _search(r["after"]) not in ("", SEARCH_FORGOTTEN)]
    async with write_transaction():
        for row in searched:
            after = {**row["after"], "filter": {**row["after"]["filter"], "q": SEARCH_FORGOTTEN}}
            await AuditEntry.update({AuditEntry.after: after}).where(AuditEntry.id == row["id"])
    return len(searched)
