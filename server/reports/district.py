"""The office's bureau-wide report for the district: for each day, every department's row per
round (its state, the counts it submitted, what the records say, any mismatch) and totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from server.i18n import N_
from server.policy.service import Policy
from server.reports import records, rules, service
from server.reports.tables import COUNT_FIELDS, ReportKind

MAX_DAYS = 366  # on screen and as CSV: a year at most
MAX_WORKBOOK_DAYS = 62  # one sheet per day: two months make a workbook still worth printing


@dataclass(frozen=True)
class DayRange:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


# The plan (2020, No. 14) is where the records begin; a year 1 would not even convert to the
# hall's time.
FIRST_DAY = dt.date(2020, 1, 1)


class BadRange(ValueError):
    """A day range the report cannot show; the message is a msgid."""


def parse_range(first: str | None, last: str | None, today: dt.date) -> DayRange:
    """The days asked for (default: today), never past today."""
    try:
        start = dt.date.fromisoformat(first) if first else today
        end = dt.date.fromisoformat(last) if last else start
    except ValueError:
        raise BadRange(N_("Enter dates as YYYY-MM-DD.")) from None
    if start < FIRST_DAY:
        raise BadRange(N_("There are no reports before 2020."))
    if start > today:
        raise BadRange(N_("There are no reports for days to come."))
    end = min(end, today)
    if end < start:
        raise BadRange(N_("The last day comes before the first."))
    if (end - start).days + 1 > MAX_DAYS:
        raise BadRange(N_("At most a year at a time."))
    return DayRange(start, end)


def _totals(rows: list[dict]) -> dict:
    """Sums of the submitted counts, and how many departments stand in each state."""
    submitted = [
        r["report"] for r in rows if r["report"] and r["report"]["kind"] == ReportKind.submitted
    ]
    totals = {name: sum(report[name] for report in submitted) for name in COUNT_FIELDS}
    for state in rules.SlotState:
        totals[state.value] = sum(1 for r in rows if r["state"] == state.value)
    totals["mismatch"] = sum(1 for r in rows if r["mismatch"])
    totals["nil"] = sum(1 for r in rows if r["nil"])
    # Not in any report: the cases the office has still to judge suspected or not.
    totals["pending_review"] = sum(r["recorded"].get("pending_review", 0) for r in rows)
    return totals


async def day_report(day: dt.date, now: dt.datetime, policy: Policy) -> dict:
    """One day: its rows (day_status with the records and mismatches) and totals per round."""
    rows = await service.day_status(day, now, policy)
    rounds = list(dict.fromkeys(r["round"] for r in rows))
    recorded = {r: await records.recorded_counts(day, r, policy, now) for r in rounds}
    empty = dict.fromkeys(COUNT_FIELDS, 0)
    for row in rows:
        row["recorded"] = recorded[row["round"]].get(row["department"], empty)
        row["mismatch"] = rules.mismatches(row["report"], row["recorded"])
    totals = {r: _totals([row for row in rows if row["round"] == r]) for r in rounds}
    return {"day": day, "rounds": rounds, "rows": rows, "totals": totals}


async def days_report(span: DayRange, now: dt.datetime, policy: Policy) -> AsyncIterator[dict]:
    """The report of each day of the range, newest last, one at a time (exports stream it)."""
    for day in span.days:
        yield await day_report(day, now, policy)


def row_count(span: DayRange, departments: int, rounds: int = 1) -> int:
    """How many rows an export of the range holds, told before it starts."""
    return len(span.days) * departments * rounds
