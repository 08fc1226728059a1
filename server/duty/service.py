"""Duty roster (值班) queries and writes. Every write is idempotent (the form's id, and the
shift's natural key) and writes its audit row in the same transaction.

`scope` is the department a head may edit (their own), or None for the office: a head can
plan, remove and copy only their department's shifts."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem
from server.db import write_transaction
from server.declarations.status import states_of
from server.duty import rules
from server.duty.tables import DutyLogEntry, DutyShift, LogKind, Post
from server.i18n import N_
from server.org.tables import GroupRole, Person, Window
from server.policy.service import Policy, load_policy
from sync.db import is_sqlite

MOBILE_OR_LANDLINE = "0123456789-"
PHONE_LENGTH = 20  # DutyShift.phone

# A shift overlapping another of the same person, named by the other shift's post.
OVERLAP = {
    Post.window: N_(
        "This shift overlaps %(person)s's shift at window %(window)s, %(start)s–%(end)s: "
        "one person serves one post at a time"
    ),
    Post.hall: N_(
        "This shift overlaps %(person)s's shift on the hall floor, %(start)s–%(end)s: "
        "one person serves one post at a time"
    ),
    Post.phone: N_(
        "This shift overlaps %(person)s's shift on the duty phone, %(start)s–%(end)s: "
        "one person serves one post at a time"
    ),
    Post.leader: N_(
        "This shift overlaps %(person)s's day as leader of the day, %(start)s–%(end)s: "
        "one person serves one post at a time"
    ),
}


@dataclass(frozen=True)
class Recorded:
    row: dict
    created: bool


def _shift_query():
    return DutyShift.select(
        *DutyShift.all_columns(),
        DutyShift.person.name.as_alias("person_name"),
        DutyShift.window.code.as_alias("window_code"),
        DutyShift.window.name.as_alias("window_name"),
        DutyShift.department.name.as_alias("department_name"),
    )


async def shift(shift_id: uuid.UUID) -> dict | None:
    return await _shift_query().where(DutyShift.id == shift_id).first()


async def shifts_between(
    first: dt.date, last: dt.date, department_id: int | None = None
) -> list[dict]:
    """Shifts from `first` to `last` (both included), of one department or all."""
    where = (DutyShift.day >= first) & (DutyShift.day <= last)
    if department_id is not None:
        where &= DutyShift.department == department_id
    return await _shift_query().where(where).order_by(DutyShift.day).order_by(DutyShift.start)


def default_times(post: Post, policy: Policy) -> tuple[str, str]:
    """Window and hall posts follow the opening hours; the phone and the leader the day."""
    if post in (Post.window, Post.hall):
        return tuple(part.strip() for part in policy.opening_hours.split("-"))
    return "00:00", "24:00"


async def _clean_shift(form: dict, scope: int | None, policy: Policy) -> dict:
    """The shift a form describes, or Invalid with every problem found."""
    problems: list[Problem] = []
    try:
        post = Post(form.get("post", ""))
    except ValueError:
        raise Invalid([Problem("post", N_("Choose a post"))]) from None
    try:
        day = dt.date.fromisoformat(str(form.get("day", "")))
    except ValueError:
        day = None
        problems.append(Problem("day", N_("Choose a day")))
    person = None
    if str(form.get("person", "")).isdigit():
        person = (
            await Person.select(Person.id, Person.department, Person.group_role)
            .where((Person.id == int(form["person"])) & (Person.active == True))  # noqa: E712
            .first()
        )
    if person is None:
        problems.append(Problem("person", N_("Choose a person from the roster")))
    elif scope is not None and person["department"] != scope:
        problems.append(Problem("person", N_("You can plan only your own department's staff")))
    elif post == Post.leader and person["group_role"] == GroupRole.none:
        problems.append(Problem("person", N_("The leader of the day comes from the leading group")))
    window_id = None
    if post == Post.window:
        code = str(form.get("window", "")).strip()
        found = await Window.select(Window.id).where(Window.code == code).first()
        if found is None:
            problems.append(Problem("window", N_("Choose a window")))
        else:
            window_id = found["id"]
    phone = "".join(c for c in str(form.get("phone", "")) if c in MOBILE_OR_LANDLINE)
    if len(phone) > PHONE_LENGTH:
        problems.append(
            Problem(
                "phone",
                N_("A duty phone number has at most %(count)s digits and dashes"),
                {"count": PHONE_LENGTH},
            )
        )
    elif post == Post.phone and len(phone.replace("-", "")) < 7:
        problems.append(Problem("phone", N_("Enter the number the duty phone answers on")))
    start, end = default_times(post, policy)
    try:
        start, end = rules.clean_times(form.get("start") or start, form.get("end") or end)
    except Invalid as bad:
        problems.extend(bad.problems)
    if problems:
        raise Invalid(problems)
    return {
        "key": rules.shift_key(day, post, window_id, person["id"], start),
        "day": day,
        "post": post.value,
        "window": window_id,
        "person": person["id"],
        "department": person["department"],
        "start": start,
        "end": end,
        "phone": phone,
    }


async def _same_person_at_that_time(fields: dict) -> dict | None:
    """The person's shift that day overlapping the one in `fields`, if any. The person's row
    is locked until the transaction ends, so two plans for one person take turns (SQLite's
    write lock already serialises writers)."""
    if not is_sqlite():
        await Person.select(Person.id).where(Person.id == fields["person"]).lock_rows()
    same_day = await _shift_query().where(
        (DutyShift.person == fields["person"]) & (DutyShift.day == fields["day"])
    )
    return next((s for s in same_day if rules.overlaps(rules.span(s), rules.span(fields))), None)


def _overlap_problem(other: dict) -> Problem:
    params = {k: other[k] for k in ("start", "end")}
    params |= {"person": other["person_name"], "window": other["window_code"] or ""}
    return Problem("person", OVERLAP[Post(other["post"])], params)


async def add_shift(entry_id: uuid.UUID, form: dict, actor: Actor, scope: int | None) -> Recorded:
    """Plan a shift; the same form twice, or the same person on the same post at the same
    start, stores one shift. A shift overlapping another of the same person is refused
    (Invalid naming the other): one person cannot keep two posts (不得空岗)."""
    fields = await _clean_shift(form, scope, await load_policy())
    async with write_transaction():
        stored = (
            await shift(entry_id)
            or await _shift_query().where(DutyShift.key == fields["key"]).first()
        )
        if stored:
            return Recorded(stored, created=False)
        other = await _same_person_at_that_time(fields)
        if other:
            raise Invalid([_overlap_problem(other)])
        await DutyShift.insert(DutyShift(id=entry_id, created_by=actor.username, **fields))
        stored = await shift(entry_id)
        await audit.record(actor, "create", "duty_shift", entry_id, None, fields)
    return Recorded(stored, created=True)


def may_edit(row: dict, scope: int | None) -> bool:
    return scope is None or row["department"] == scope


async def remove_shift(shift_id: uuid.UUID, actor: Actor, scope: int | None) -> None:
    """Take a shift off the roster; gone already is fine. A shift with a duty log stays: the
    log is a record of what happened (raises Invalid), and another department's shift is not
    the head's to remove (PermissionError)."""
    async with write_transaction():
        row = await shift(shift_id)
        if row is None:
            return
        if not may_edit(row, scope):
            raise PermissionError(shift_id)
        if await DutyLogEntry.exists().where(DutyLogEntry.shift == shift_id):
            raise Invalid([Problem("shift", N_("This shift has a duty log and stays"))])
        await DutyShift.delete().where(DutyShift.id == shift_id)
        await audit.record(actor, "delete", "duty_shift", shift_id, row, None)


async def gaps_ahead(first: dt.date, days: int = 7) -> list[rules.Gap]:
    """The gap check (不得空岗) for `days` days from `first`: what the duty page shows and what
    the dashboard can call."""
    last = first + dt.timedelta(days=days - 1)
    windows = await Window.select(Window.id, Window.code, Window.name).where(
        Window.active == True  # noqa: E712
    )
    shifts = await DutyShift.select(
        DutyShift.day,
        DutyShift.post,
        DutyShift.window,
        DutyShift.start,
        DutyShift.end,
        DutyShift.person,
        DutyShift.person.name.as_alias("person_name"),
    ).where((DutyShift.day >= first) & (DutyShift.day <= last))
    day_list = [first + dt.timedelta(days=n) for n in range(days)]
    windows = sorted(windows, key=lambda w: w["code"])
    away = await people_away([s["person"] for s in shifts])
    return rules.find_gaps(day_list, windows, shifts, await load_policy(), away)


async def people_away(person_ids: list[int]) -> dict[int, rules.Away]:
    """Of these people, those told to stay home or absent sick (declarations' work status):
    their planned shifts cover nothing from today on, for as long as the status holds. The
    future is not known, so the status holds until the office clears them; the days before
    today are left as they were planned."""
    today = clock.today()
    states = await states_of(sorted(set(person_ids)))
    return {pid: rules.Away(row["state"], today) for pid, row in states.items()}


async def my_shifts(person_id: int, first: dt.date, days: int = 14) -> list[dict]:
    """A person's own shifts from `first` on, for /me."""
    last = first + dt.timedelta(days=days - 1)
    return (
        await _shift_query()
        .where((DutyShift.person == person_id) & (DutyShift.day >= first) & (DutyShift.day <= last))
        .order_by(DutyShift.day)
        .order_by(DutyShift.start)
    )


async def phone_numbers(day: dt.date) -> list[dict]:
    """The day's 24-hour duty numbers (值班电话) and who answers them."""
    return await _shift_query().where((DutyShift.day == day) & (DutyShift.post == Post.phone))


async def on_duty_at(post: Post, window_id: int | None, moment: dt.datetime) -> list[dict]:
    """Who served `post` (at `window_id`) at `moment`: the shifts of that local day whose
    hours include the moment's local time."""
    local = clock.local(moment)
    at = local.hour * 60 + local.minute
    where = (DutyShift.day == local.date()) & (DutyShift.post == post)
    if window_id is not None:
        where &= DutyShift.window == window_id
    rows = await _shift_query().where(where)
    return [r for r in rows if rules.minutes(r["start"]) <= at < rules.minutes(r["end"])]


async def duty_log(shift_id: uuid.UUID) -> list[dict]:
    return (
        await DutyLogEntry.select().where(DutyLogEntry.shift == shift_id).order_by(DutyLogEntry.at)
    )


async def add_log_entry(
    entry_id: uuid.UUID, shift_id: uuid.UUID, kind: str, text: str, actor: Actor
) -> Recorded:
    """A handover note or an event in the shift's duty log; a replayed form stores nothing."""
    text = str(text).strip()[:2000]
    problems = []
    if kind not in {k.value for k in LogKind}:
        problems.append(Problem("kind", N_("Choose handover or event")))
    if not text:
        problems.append(Problem("text", N_("Write what happened")))
    if problems:
        raise Invalid(problems)
    async with write_transaction():
        stored = await DutyLogEntry.select().where(DutyLogEntry.id == entry_id).first()
        if stored:
            return Recorded(stored, created=False)
        if not await DutyShift.exists().where(DutyShift.id == shift_id):
            raise LookupError(shift_id)
        row = {"id": entry_id, "shift": shift_id, "kind": kind, "text": text}
        await DutyLogEntry.insert(DutyLogEntry(**row, at=clock.now(), by=actor.username))
        await audit.record(actor, "create", "duty_log_entry", entry_id, None, row)
        stored = await DutyLogEntry.select().where(DutyLogEntry.id == entry_id).first()
    return Recorded(stored, created=True)
