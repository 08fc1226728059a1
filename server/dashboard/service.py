"""The figures the office and leaders watch through the day: today's checks at the desk,
the staff's declarations and work status, open incidents with their district deadline, and
the last 14 days' trend. Counts come from the database (indexed time ranges), never from
rows loaded into Python."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from server import clock
from server.checks.tables import CheckStatus, StaffCheck, VisitorCheck, VisitorDailyCount
from server.declarations.boards import daily_counts
from server.duty.service import gaps_ahead
from server.incidents.service import incidents_board
from server.incidents.tables import IncidentStatus
from server.policy.service import Policy
from server.reports.service import day_status

TREND_DAYS = 14
ABNORMAL = (CheckStatus.remeasure, CheckStatus.cleared, CheckStatus.held)


@dataclass(frozen=True)
class DayFigures:
    """One day at the desk: every check, those with an abnormal first reading, those held."""

    day: dt.date
    visitors: int = 0
    staff_checks: int = 0
    abnormal: int = 0
    held: int = 0


async def _statuses_by_day(table, time_column: str, bounds: list[dt.datetime]) -> list[dict]:
    """Per day between consecutive `bounds`: its checks as "total" and the abnormal ones
    counted by status. Two queries for all the days, each answered from an index: the totals
    as one count per day (no grouping: a million rows grouped took a third of a second on
    SQLite), the few abnormal rows grouped by day (found by comparing with the bounds, so no
    time-zone arithmetic in SQL) and status."""
    name = table._meta.tablename
    spans = range(len(bounds) - 1)
    totals = await table.raw(
        " UNION ALL ".join(
            f"SELECT {n} AS day_index, COUNT(*) AS n FROM {name}"
            f" WHERE {time_column} >= {{}} AND {time_column} < {{}}"
            for n in spans
        ),
        *(moment for n in spans for moment in bounds[n : n + 2]),
    )
    days = " ".join(f"WHEN {time_column} < {{}} THEN {n}" for n in spans)
    statuses = ", ".join("{}" for _ in ABNORMAL)
    abnormal = await table.raw(
        f"SELECT CASE {days} END AS day_index, status, COUNT(*) AS n FROM {name}"
        f" WHERE status IN ({statuses}) AND {time_column} >= {{}} AND {time_column} < {{}}"
        " GROUP BY 1, 2",
        *bounds[1:],
        *(s.value for s in ABNORMAL),
        bounds[0],
        bounds[-1],
    )
    counts: list[dict] = [{} for _ in spans]
    for row in totals:
        counts[row["day_index"]]["total"] = row["n"]
    for row in abnormal:
        counts[row["day_index"]][row["status"]] = row["n"]
    return counts


def _figures(day: dt.date, visitors: dict[str, int], staff: dict[str, int]) -> DayFigures:
    both = [visitors, staff]
    return DayFigures(
        day=day,
        visitors=visitors.get("total", 0),
        staff_checks=staff.get("total", 0),
        abnormal=sum(counts.get(s, 0) for counts in both for s in ABNORMAL),
        held=sum(counts.get(CheckStatus.held, 0) for counts in both),
    )


async def _kept_counts(days: list[dt.date]) -> dict[dt.date, dict[str, int]]:
    """The daily counts kept for days whose visitor records were purged."""
    kept: dict[dt.date, dict[str, int]] = {}
    for row in await VisitorDailyCount.select().where(VisitorDailyCount.day.is_in(days)):
        totals = kept.setdefault(row["day"], {"total": 0, "abnormal": 0, "held": 0})
        for key in totals:
            totals[key] += row[key]
    return kept


def _with_kept(figures: DayFigures, kept: dict[str, int]) -> DayFigures:
    return DayFigures(
        day=figures.day,
        visitors=kept["total"],
        staff_checks=figures.staff_checks,
        abnormal=kept["abnormal"] + figures.abnormal,
        held=kept["held"] + figures.held,
    )


async def trend(today: dt.date, days: int = TREND_DAYS) -> list[DayFigures]:
    """The last `days` days, oldest first, today included: four queries for all the days,
    not two per day."""
    wanted = [today - dt.timedelta(days=back) for back in range(days - 1, -1, -1)]
    bounds = [clock.day_bounds(day)[0] for day in wanted] + [clock.day_bounds(today)[1]]
    visitors, staff = await asyncio.gather(
        _statuses_by_day(VisitorCheck, "time_in", bounds),
        _statuses_by_day(StaffCheck, "taken_at", bounds),
    )
    figures = [_figures(d, v, s) for d, v, s in zip(wanted, visitors, staff, strict=True)]
    # Visitor records past the retention period are purged; their daily counts stay.
    purged = [f.day for f in figures if not f.visitors]
    kept = await _kept_counts(purged) if purged else {}
    return [_with_kept(f, kept[f.day]) if f.day in kept else f for f in figures]


def staff_today(counts: dict) -> dict[str, int]:
    """The bureau's totals of the per-department declaration counts."""
    totals: dict[str, int] = {}
    for per_department in counts.values():
        for name, value in per_department.items():
            totals[name] = totals.get(name, 0) + value
    totals["declared"] = totals.get("staff", 0) - totals.get("not_declared", 0)
    return totals


async def open_incidents(now: dt.datetime) -> list[dict]:
    """Incidents not closed, overdue ones first, each with the district deadline it was
    raised with (`district_deadline`, as on its page)."""
    board = await incidents_board(now)
    return [i for i in board if i["status"] != IncidentStatus.closed]


async def zero_reports(day: dt.date, now: dt.datetime, policy: Policy) -> dict[str, int]:
    """The day's zero reports: how many are in, and how many stand due, late (迟报: in late, or
    not in past the deadline) or missed (漏报)."""
    rows = await day_status(day, now, policy)
    states = Counter(row["state"] for row in rows)
    return {
        "in": sum(1 for r in rows if r["report"] and r["state"] != "not_applicable"),
        "due": states["due"],
        "late": states["late"],
        "missed": states["missed"],
        "expected": sum(states.values()) - states["not_applicable"],
    }


async def dashboard(now: dt.datetime, policy: Policy) -> dict:
    day = clock.local(now).date()
    days = await trend(day)
    return {
        "current": days[-1],
        "trend": days,
        "staff": staff_today(await daily_counts(day)),
        "incidents": await open_incidents(now),
        "zero_reports": await zero_reports(day, now, policy),
        "duty_gaps": await gaps_ahead(day),
        "updated": now,
    }
