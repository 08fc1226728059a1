"""Reading notices: the office's list with read counts, who has and has not read a notice,
a staff member's notices, and the hall screen's board."""

from __future__ import annotations

import datetime as dt
import uuid

from piccolo.query.functions.aggregate import Count

from server import clock
from server.accounts.tables import Role, UserAccount
from server.checks.tables import VisitorCheck
from server.notices.markdown import to_html
from server.notices.tables import Notice, NoticeKind, NoticeRead, NoticeReminder, NoticeStatus
from server.org.tables import Person

# Accounts that write the notices are not asked to acknowledge them.
WRITERS = {Role.office.value, Role.leader.value}
READERS = {Role.staff.value, Role.head.value}


def _current(today: dt.date):
    """Published and `today` within the days it is shown (`rules.is_current`, in SQL)."""
    return (
        (Notice.status == NoticeStatus.published)
        & (Notice.shown_from.is_null() | (Notice.shown_from <= today))
        & (Notice.shown_until.is_null() | (Notice.shown_until >= today))
    )


def _with_html(row: dict) -> dict:
    return {**row, "body_html": to_html(row["body"])}


async def notice(notice_id: uuid.UUID) -> dict | None:
    return await Notice.select().where(Notice.id == notice_id).first()


async def notice_for_page(notice_id: uuid.UUID) -> dict | None:
    found = await notice(notice_id)
    return _with_html(found) if found else None


async def expected_readers() -> list[dict]:
    """The active roster, less the people whose accounts write notices; `has_login` when
    they have a staff or head account to read and acknowledge with."""
    people = await Person.select(
        Person.id,
        Person.name,
        Person.department.name.as_alias("department_name"),
        Person.department.position.as_alias("position"),
    ).where(Person.active == True)  # noqa: E712
    accounts = await UserAccount.select(UserAccount.person, UserAccount.role).where(
        (UserAccount.active == True) & UserAccount.person.is_not_null()  # noqa: E712
    )
    writers = {a["person"] for a in accounts if a["role"] in WRITERS}
    logins = {a["person"] for a in accounts if a["role"] in READERS}
    readers = [{**p, "has_login": p["id"] in logins} for p in people if p["id"] not in writers]
    # The bureau's leaders (no department) first, then the attachment's department order.
    return sorted(
        readers, key=lambda p: (p["position"] if p["position"] is not None else -1, p["name"])
    )


async def reader_accounts(people: list[int]) -> list[int]:
    """The active staff and head accounts of these people: whom a reminder reaches."""
    if not people:
        return []
    rows = await UserAccount.select(UserAccount.id).where(
        UserAccount.person.is_in(people)
        & UserAccount.role.is_in(list(READERS))
        & (UserAccount.active == True)  # noqa: E712
    )
    return [r["id"] for r in rows]


async def _read_at(notice_id: uuid.UUID) -> dict[int, dt.datetime]:
    rows = await NoticeRead.select(NoticeRead.person, NoticeRead.read_at).where(
        NoticeRead.notice == notice_id
    )
    return {r["person"]: r["read_at"] for r in rows}


async def _last_reminders(*conditions) -> dict:
    """(notice, person) → when last reminded. Reduced here rather than with MAX(), which
    SQLite answers as text instead of a timestamp."""
    query = NoticeReminder.select(NoticeReminder.notice, NoticeReminder.person, NoticeReminder.at)
    for condition in conditions:
        query = query.where(condition)
    last: dict = {}
    for row in await query:
        key = (row["notice"], row["person"])
        if key not in last or row["at"] > last[key]:
            last[key] = row["at"]
    return last


async def unread_people(notice_id: uuid.UUID) -> list[dict]:
    """Expected readers who have not acknowledged the notice, with their last reminder."""
    read = await _read_at(notice_id)
    reminded = await _last_reminders(NoticeReminder.notice == notice_id)
    return [
        {**p, "reminded_at": reminded.get((notice_id, p["id"]))}
        for p in await expected_readers()
        if p["id"] not in read
    ]


async def readers(notice_id: uuid.UUID) -> list[dict]:
    """Who acknowledged the notice, first reader first."""
    return (
        await NoticeRead.select(
            NoticeRead.person.name.as_alias("name"),
            NoticeRead.person.department.name.as_alias("department_name"),
            NoticeRead.read_at,
        )
        .where(NoticeRead.notice == notice_id)
        .order_by(NoticeRead.read_at)
    )


async def office_list() -> list[dict]:
    """Every notice, newest first, with how many expected readers acknowledged it."""
    counts = {
        r["notice"]: r["n"]
        for r in await NoticeRead.select(NoticeRead.notice, Count().as_alias("n")).group_by(
            NoticeRead.notice
        )
    }
    rows = await Notice.select().order_by(Notice.created_at, ascending=False)
    return [{**r, "read_count": counts.get(r["id"], 0)} for r in rows]


async def staff_notices(person_id: int | None, today: dt.date) -> list[dict]:
    """Staff notices current `today`, unread first then newest first, with this person's
    acknowledgement and the office's last reminder. One whose days have not begun, or have
    ended, is not shown (as on the hall screen), so nobody is asked to read it."""
    rows = (
        await Notice.select()
        .where(_current(today) & (Notice.to_staff == True))  # noqa: E712
        .order_by(Notice.published_at, ascending=False)
    )
    notices = await _as_read_by(rows, person_id)
    return sorted(notices, key=lambda n: n["read_at"] is not None)


async def past_staff_notices(person_id: int | None, today: dt.date) -> list[dict]:
    """Staff notices whose last day is over, the latest to end first, with this person's
    acknowledgement. Not the withdrawn ones: the office took those back."""
    rows = (
        await Notice.select()
        .where(
            (Notice.status == NoticeStatus.published)
            & (Notice.to_staff == True)  # noqa: E712
            & (Notice.shown_until < today)
        )
        .order_by(Notice.shown_until, ascending=False)
        .order_by(Notice.published_at, ascending=False)
    )
    return await _as_read_by(rows, person_id)


async def _as_read_by(rows: list[dict], person_id: int | None) -> list[dict]:
    """The notices with their sanitised text, and when `person_id` acknowledged each and was
    last reminded of it (None for nobody)."""
    if person_id is None:
        return [{**_with_html(r), "read_at": None, "reminded_at": None} for r in rows]
    read = {
        r["notice"]: r["read_at"]
        for r in await NoticeRead.select(NoticeRead.notice, NoticeRead.read_at).where(
            NoticeRead.person == person_id
        )
    }
    reminded = await _last_reminders(NoticeReminder.person == person_id)
    return [
        {
            **_with_html(r),
            "read_at": read.get(r["id"]),
            "reminded_at": reminded.get((r["id"], person_id)),
        }
        for r in rows
    ]


async def visitors_on(day: dt.date) -> int:
    """How many visitors were registered on the hall's local `day` (a count, no one's data)."""
    start, end = clock.day_bounds(day)
    return await VisitorCheck.count().where(
        (VisitorCheck.time_in >= start) & (VisitorCheck.time_in < end)
    )


async def hall_board(today: dt.date) -> dict:
    """What the hall screen shows: today's visitor count and the public notices current
    today, by kind. Only what the office published to the public, nothing personal."""
    rows = (
        await Notice.select(Notice.id, Notice.kind, Notice.title, Notice.body)
        .where(_current(today) & (Notice.to_public == True))  # noqa: E712
        .order_by(Notice.published_at, ascending=False)
    )
    shown = [_with_html(r) for r in rows]
    return {
        "visitors": await visitors_on(today),
        "notices": [n for n in shown if n["kind"] == NoticeKind.notice],
        "tips": [n for n in shown if n["kind"] == NoticeKind.tip],
        "clinic": [n for n in shown if n["kind"] == NoticeKind.clinic],
    }
