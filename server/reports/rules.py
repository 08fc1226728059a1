"""The zero report's rules as pure functions: each round's deadline, where a department's
report stands at a moment (due, on time, late 迟报, missed 漏报, not applicable), the counts a
head may submit, and the counts that contradict the records (瞒报)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from server import clock
from server.checks.rules import Invalid, Problem
from server.i18n import N_
from server.policy.service import Policy
from server.reports.tables import COUNT_FIELDS, ReportKind, ReportRound

MAX_NOTE = 200
# The counts of people by where they are; together at most the department's staff.
WHEREABOUTS = ("on_site", "at_home", "on_leave")


class SlotState(StrEnum):
    due = "due"  # not in yet, the deadline still ahead: remind
    on_time = "on_time"
    late = "late"  # 迟报: in after the deadline, or not in yet and the deadline passed
    missed = "missed"  # 漏报: nothing by the day's end (a report filed later stays missed)
    not_applicable = "not_applicable"


def deadline(day: dt.date, round_: ReportRound, policy: Policy) -> dt.datetime:
    """The instant the round's report is due: a local time of the day, from the settings."""
    text = policy.zero_report_afternoon_deadline if round_ == "pm" else policy.zero_report_deadline
    hour, minute = (int(part) for part in text.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_zone())
    return local.astimezone(dt.UTC)


def slot_state(
    report: dict | None, day: dt.date, round_: ReportRound, now: dt.datetime, policy: Policy
) -> SlotState:
    """Where one department's report for one round stands at `now`. Lateness is judged by
    the first submission: an amendment never makes a report late, nor an on-time one."""
    due_at = deadline(day, round_, policy)
    _, day_end = clock.day_bounds(day)
    if report is not None and report["kind"] == ReportKind.not_applicable:
        return SlotState.not_applicable
    if report is not None:
        first = report["first_submitted_at"]
        if first >= day_end:
            return SlotState.missed
        return SlotState.on_time if first <= due_at else SlotState.late
    if now >= day_end:
        return SlotState.missed
    return SlotState.late if now > due_at else SlotState.due


def is_nil(report: dict | None) -> bool:
    """A submitted report whose counts are all zero: a nil report (零报告), which is a report
    of its own, not a missing one."""
    return (
        report is not None
        and report["kind"] == ReportKind.submitted
        and all(report[name] == 0 for name in COUNT_FIELDS)
    )


def mismatches(report: dict | None, recorded: dict[str, int]) -> list[str]:
    """The counts of a submitted report below what the records show. Each person the records
    count is certainly in that category (staff who have not declared are counted nowhere),
    so a lower submitted count leaves someone out: the plan's 瞒报 check. A higher one is
    the head knowing more than the records, which is not flagged."""
    if report is None or report["kind"] != ReportKind.submitted:
        return []
    return [name for name in COUNT_FIELDS if report[name] < recorded.get(name, 0)]


def _count(form: dict, name: str, size: int, problems: list[Problem]) -> int | None:
    text = str(form.get(name, "")).strip()
    if text == "":
        problems.append(Problem(name, N_("Enter a number, 0 if none.")))
        return None
    try:
        value = int(text)
    except ValueError:
        problems.append(Problem(name, N_("Enter a whole number.")))
        return None
    if value < 0:
        problems.append(Problem(name, N_("A count cannot be negative.")))
    elif value > size:
        problems.append(
            Problem(name, N_("More than the department's %(size)s staff."), {"size": size})
        )
    return value


def clean_counts(form: dict, size: int) -> dict:
    """The counts and note of a submitted form, or Invalid naming each bad field. Every count
    is required (an empty box is not a zero), whole, at least 0 and at most the department's
    staff; on site, at home and on leave together are at most the staff too."""
    problems: list[Problem] = []
    counts = {name: _count(form, name, size, problems) for name in COUNT_FIELDS}
    if not problems and sum(counts[name] for name in WHEREABOUTS) > size:
        message = N_("On site, at home and on leave add up to more than the %(size)s staff.")
        problems.append(Problem("on_site", message, {"size": size}))
    note = str(form.get("note", "")).strip()
    if len(note) > MAX_NOTE:
        problems.append(Problem("note", N_("At most %(n)s characters."), {"n": MAX_NOTE}))
    if problems:
        raise Invalid(problems)
    return {**counts, "note": note}
