"""Submitting the daily zero report (每日零报告): by the department's head, or by the office on
the department's behalf (marked so); the office marking a department not applicable for a day;
every submission kept as a version; and the day's state of every department's report."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server import clock
from server.accounts.service import people_names
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem
from server.db import write_transaction
from server.emergency.service import active_during
from server.i18n import N_
from server.org.tables import Department, Person
from server.policy.service import Policy, load_policy
from server.reports import rules
from server.reports.tables import (
    COUNT_FIELDS,
    ReportKind,
    ReportRound,
    ZeroReport,
    ZeroReportVersion,
)
from sync.db import is_sqlite


@dataclass(frozen=True)
class Submitted:
    """The report after a submission; `created` is False for a replayed form, `amended` True
    when an earlier submission was there."""

    report: dict
    created: bool
    amended: bool


def slot_key(department_id: int, day: dt.date, round_: ReportRound) -> str:
    return f"{department_id}|{day.isoformat()}|{ReportRound(round_).value}"


async def rounds_of(day: dt.date) -> list[ReportRound]:
    """The rounds due on `day`: the morning one always, the afternoon one too when emergency
    response was on at any time that day (SPEC 13)."""
    start, end = clock.day_bounds(day)
    twice = await active_during(start, end)
    return [ReportRound.am, ReportRound.pm] if twice else [ReportRound.am]


async def departments() -> list[dict]:
    """Every department and resident unit, in the attachment's order, with its staff."""
    rows = await Department.select(Department.id, Department.name).order_by(Department.position)
    people = await Person.select(Person.department).where(
        (Person.active == True) & Person.department.is_not_null()  # noqa: E712
    )
    sizes: dict[int, int] = {}
    for person in people:
        sizes[person["department"]] = sizes.get(person["department"], 0) + 1
    return [{**row, "staff": sizes.get(row["id"], 0)} for row in rows]


async def department(department_id: int) -> dict | None:
    return next((d for d in await departments() if d["id"] == department_id), None)


async def report_in(department_id: int, day: dt.date, round_: ReportRound) -> dict | None:
    key = slot_key(department_id, day, round_)
    return await ZeroReport.select().where(ZeroReport.slot_key == key).first()


async def versions(report_id: uuid.UUID) -> list[dict]:
    """Every submission of a report, the first first."""
    return (
        await ZeroReportVersion.select()
        .where(ZeroReportVersion.report == report_id)
        .order_by(ZeroReportVersion.version)
    )


async def submit(
    submission_id: uuid.UUID,
    department_id: int,
    day: dt.date,
    round_: ReportRound,
    form: dict,
    actor: Actor,
    *,
    on_behalf: bool = False,
    now: dt.datetime | None = None,
) -> Submitted:
    """Store the department's counts for the day and round (raises Invalid, LookupError). A
    second submission amends the report; the same form sent again changes nothing."""
    replay = await _replay(submission_id, department_id, day, round_)
    if replay is not None:
        return replay
    found = await department(department_id)
    if found is None:
        raise LookupError(department_id)
    values = rules.clean_counts(form, found["staff"])
    return await _store(
        submission_id, department_id, day, round_, ReportKind.submitted, values, actor,
        on_behalf, now or clock.now(),
    )  # fmt: skip


async def mark_not_applicable(
    submission_id: uuid.UUID,
    department_id: int,
    day: dt.date,
    round_: ReportRound,
    note: str,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Submitted:
    """The office: the department has nothing to report that day and round (closed, nobody
    on the roster), with the reason. Not a zero, and not a missing report either."""
    replay = await _replay(submission_id, department_id, day, round_)
    if replay is not None:
        return replay
    note = note.strip()
    if not note:
        raise Invalid([Problem("note", N_("Write why this department has nothing to report."))])
    if await department(department_id) is None:
        raise LookupError(department_id)
    values = {**dict.fromkeys(COUNT_FIELDS, 0), "note": note[: rules.MAX_NOTE]}
    return await _store(
        submission_id, department_id, day, round_, ReportKind.not_applicable, values, actor,
        True, now or clock.now(),
    )  # fmt: skip


async def _replay(submission_id, department_id, day, round_) -> Submitted | None:
    """The report a form already stored, or None; a form used for another report is refused."""
    version = (
        await ZeroReportVersion.select(ZeroReportVersion.report)
        .where(ZeroReportVersion.id == submission_id)
        .first()
    )
    if version is None:
        return None
    report = await ZeroReport.select().where(ZeroReport.id == version["report"]).first()
    if report["slot_key"] != slot_key(department_id, day, round_):
        raise Invalid([Problem("entry_id", N_("This form was sent for another report."))])
    return Submitted(report, created=False, amended=report["version"] > 1)


async def _store(submission_id, department_id, day, round_, kind, values, actor, on_behalf, now):
    # The person, as the district report names who sent it; the audit row keeps the login.
    name = (await people_names()).get(actor.username, actor.username)
    fields = {
        **values,
        "kind": kind.value,
        "submitted_by": name[: ZeroReport.submitted_by.length],
        "on_behalf": on_behalf,
        "submitted_at": now,
    }
    async with write_transaction():
        report, before = await _locked_report(department_id, day, round_, fields, now)
        # A concurrent send of the same form waited on the lock: now it is a replay.
        replay = await _replay(submission_id, department_id, day, round_)
        if replay is not None:
            return replay
        if before is not None:
            await ZeroReport.update(
                {**_columns(fields), ZeroReport.version: report["version"]}
            ).where(ZeroReport.id == report["id"])
        await ZeroReportVersion.insert(
            ZeroReportVersion(
                id=submission_id, report=report["id"], version=report["version"], **fields
            )
        )
        action = "not_applicable" if kind == ReportKind.not_applicable else "submit"
        await audit.record(
            actor, action if before is None else "amend", "zero_report", report["id"],
            before and _snapshot(before), _snapshot(fields),
        )  # fmt: skip
    stored = await ZeroReport.select().where(ZeroReport.id == report["id"]).first()
    return Submitted(stored, created=True, amended=before is not None)


def _columns(fields: dict) -> dict:
    return {getattr(ZeroReport, name): value for name, value in fields.items()}


def _snapshot(row: dict) -> dict:
    keep = (*COUNT_FIELDS, "kind", "note", "on_behalf", "submitted_by")
    return {name: row[name] for name in keep if name in row}


async def _locked_report(department_id, day, round_, fields, now) -> tuple[dict, dict | None]:
    """(the report row with the version this submission gets, the row before it or None when
    this submission creates it), the row locked until the transaction ends."""
    key = slot_key(department_id, day, round_)
    created = await (
        ZeroReport.insert(
            ZeroReport(
                id=uuid.uuid4(), department=department_id, day=day, round=round_, slot_key=key,
                first_submitted_at=now, version=1, **fields,
            )
        )
        .on_conflict(target=ZeroReport.slot_key, action="DO NOTHING")
        .returning(ZeroReport.id)
    )  # fmt: skip
    query = ZeroReport.select().where(ZeroReport.slot_key == key)
    if not is_sqlite():
        query = query.lock_rows()
    row = await query.first()
    if created:
        return row, None
    return {**row, "version": row["version"] + 1}, row


async def day_status(day: dt.date, now: dt.datetime, policy: Policy | None = None) -> list[dict]:
    """Every department's report for each round of `day` and where it stands at `now` (due,
    on time, late, missed, not applicable), departments in the attachment's order. The one
    place that says who is due, late or missed: pages, the dashboard and reminders call it."""
    policy = policy or await load_policy()
    reports = {
        (r["department"], r["round"]): r
        for r in await ZeroReport.select().where(ZeroReport.day == day)
    }
    rounds = await rounds_of(day)
    rounds += [r for r in ReportRound if r not in rounds and any(k[1] == r for k in reports)]
    rows = []
    for found in await departments():
        for round_ in rounds:
            report = reports.get((found["id"], round_.value))
            rows.append(
                {
                    "department": found["id"],
                    "name": found["name"],
                    "staff": found["staff"],
                    "day": day,
                    "round": round_.value,
                    "rounds": len(rounds),
                    "deadline": rules.deadline(day, round_, policy),
                    "state": rules.slot_state(report, day, round_, now, policy).value,
                    "report": report,
                    "nil": rules.is_nil(report),
                }
            )
    return rows


def in_state(rows: list[dict], *states: str) -> list[dict]:
    """The rows of `day_status` in one of `states` (e.g. "due", "late", "missed")."""
    return [row for row in rows if row["state"] in states]


async def reminders_for(department_id: int | None, now: dt.datetime) -> list[dict]:
    """Today's rounds of the department still to report (due, or late past the deadline):
    what the head's pages show as a reminder banner."""
    if department_id is None:
        return []
    rows = await day_status(clock.local(now).date(), now)
    mine = [row for row in rows if row["department"] == department_id]
    return [row for row in in_state(mine, "due", "late") if row["report"] is None]
