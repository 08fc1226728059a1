"""Writing notices (二(二)2 通知工作, 四(三) 健康提示和就医指南): drafts, publishing, withdrawing,
staff acknowledgements and the office's reminders.

Every write is idempotent (an id made when the form was rendered, or a state that is already
reached) and writes its audit row in the same transaction. A reminder also reaches each
reminded account's /notifications list through the notify domain's outbox, in the same
transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem
from server.db import write_transaction
from server.i18n import N_
from server.notices import queries
from server.notices.rules import clean_notice, is_current, read_key
from server.notices.tables import Notice, NoticeRead, NoticeReminder, NoticeStatus
from server.notify import service as notifications


@dataclass(frozen=True)
class Recorded:
    """The stored notice after a write, and whether this call changed anything."""

    row: dict
    created: bool


def _published_fields(fields: dict, now: dt.datetime, today: dt.date) -> dict:
    """The fields that publish a notice today; one whose last day has passed would never be
    shown, so it is refused (saving it as a draft is still possible)."""
    ends = fields.get("shown_until")
    if ends is not None and ends < today:
        message = N_("Its last day, %(day)s, has already ended: choose today or a later day")
        raise Invalid([Problem("shown_until", message, {"day": ends.isoformat()})])
    return {
        **fields,
        "status": NoticeStatus.published,
        "published_at": now,
        "shown_from": fields.get("shown_from") or today,
    }


async def create_notice(
    entry_id: uuid.UUID,
    form: dict,
    actor: Actor,
    publish: bool,
    now: dt.datetime,
    today: dt.date,
) -> Recorded:
    """A new notice, as a draft or published at once (or the one stored under `entry_id`)."""
    fields = clean_notice(form)
    if publish:
        fields = _published_fields(fields, now, today)
    async with write_transaction():
        if stored := await queries.notice(entry_id):
            return Recorded(stored, created=False)
        await Notice.insert(
            Notice(id=entry_id, created_by=actor.user_id, created_at=now, updated_at=now, **fields)
        )
        stored = await queries.notice(entry_id)
        await audit.record(actor, "create", "notice", entry_id, None, stored)
    return Recorded(stored, created=True)


async def _load_for_change(notice_id: uuid.UUID) -> dict:
    before = await queries.notice(notice_id)
    if before is None:
        raise LookupError(notice_id)
    return before


async def update_draft(
    notice_id: uuid.UUID,
    form: dict,
    actor: Actor,
    publish: bool,
    now: dt.datetime,
    today: dt.date,
) -> Recorded:
    """Change a draft, and publish it if asked. A published notice keeps its text: what
    staff acknowledged must stay what they read."""
    fields = clean_notice(form)
    async with write_transaction():
        before = await _load_for_change(notice_id)
        if before["status"] != NoticeStatus.draft:
            message = N_("A published notice cannot be changed: withdraw it and write a new one")
            raise Invalid([Problem("title", message)])
        if publish:
            fields = _published_fields(fields, now, today)
        await Notice.update({**fields, "updated_at": now}).where(Notice.id == notice_id)
        after = await queries.notice(notice_id)
        await audit.record(
            actor, "publish" if publish else "update", "notice", notice_id, before, after
        )
    return Recorded(after, created=True)


async def _change_status(
    notice_id: uuid.UUID, actor: Actor, now: dt.datetime, today: dt.date, target: NoticeStatus
) -> Recorded:
    async with write_transaction():
        before = await _load_for_change(notice_id)
        allowed_from = NoticeStatus.draft if target == NoticeStatus.published else None
        if before["status"] == target or (allowed_from and before["status"] != allowed_from):
            return Recorded(before, created=False)
        if target == NoticeStatus.published:
            days = {"shown_from": before["shown_from"], "shown_until": before["shown_until"]}
            changes = _published_fields(days, now, today)
        else:
            changes = {"status": target, "withdrawn_at": now}
        await Notice.update({**changes, "updated_at": now}).where(Notice.id == notice_id)
        after = await queries.notice(notice_id)
        action = "publish" if target == NoticeStatus.published else "withdraw"
        await audit.record(actor, action, "notice", notice_id, before, after)
    return Recorded(after, created=True)


async def publish(notice_id: uuid.UUID, actor: Actor, now: dt.datetime, today: dt.date):
    """Publish a draft; publishing again, or a withdrawn notice, changes nothing. A draft
    whose last day has passed is refused (Invalid)."""
    return await _change_status(notice_id, actor, now, today, NoticeStatus.published)


async def withdraw(notice_id: uuid.UUID, actor: Actor, now: dt.datetime, today: dt.date):
    """Take a notice down (from staff and the hall screen); the acknowledgements stay."""
    return await _change_status(notice_id, actor, now, today, NoticeStatus.withdrawn)


async def acknowledge(
    notice_id: uuid.UUID, person_id: int, account_id: int | None, actor: Actor, now: dt.datetime
) -> bool:
    """Note that a staff member read a staff notice current today (the hall's day of `now`);
    True the first time only. One not shown to staff today cannot be acknowledged."""
    async with write_transaction():
        found = await queries.notice(notice_id)
        if found is None or not found["to_staff"] or not is_current(found, clock.local(now).date()):
            raise LookupError(notice_id)
        key = read_key(notice_id, person_id)
        inserted = (
            await NoticeRead.insert(
                NoticeRead(
                    key=key, notice=notice_id, person=person_id, account=account_id, read_at=now
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(NoticeRead.key)
        )
        if inserted:
            await audit.record(actor, "read", "notice", notice_id, None, {"person": person_id})
    return bool(inserted)


async def remind(round_id: uuid.UUID, notice_id: uuid.UUID, actor: Actor, now: dt.datetime) -> int:
    """Remind everyone with a login who has not read a published staff notice; returns how
    many. A replayed round (the same form sent again) reminds nobody a second time. A notice
    not current today (its days not begun, or ended) is not shown to staff, so reminding
    them of it is refused (Invalid)."""
    async with write_transaction():
        found = await queries.notice(notice_id)
        if found is None or found["status"] != NoticeStatus.published or not found["to_staff"]:
            raise LookupError(notice_id)
        if not is_current(found, clock.local(now).date()):
            message = N_("Staff do not see this notice today, so they cannot be reminded of it.")
            raise Invalid([Problem("notice", message)])
        if await NoticeReminder.exists().where(NoticeReminder.round == round_id):
            return 0
        unread = [p for p in await queries.unread_people(notice_id) if p["has_login"]]
        if unread:
            await NoticeReminder.insert(
                *[
                    NoticeReminder(
                        round=round_id, notice=notice_id, person=p["id"], at=now, by=actor.username
                    )
                    for p in unread
                ]
            )
        people = [p["id"] for p in unread]
        await audit.record(actor, "remind", "notice", notice_id, None, {"people": people})
        await _notify_reminded(round_id, found, people)
    return len(unread)


async def _notify_reminded(round_id: uuid.UUID, found: dict, people: list[int]) -> None:
    """The round on the reminded accounts' /notifications lists: in the app only (the group
    robot and the office's e-mail are not where staff read), and not urgent."""
    accounts = await queries.reader_accounts(people)
    if not accounts:
        return
    note = notifications.Note(
        kind="notice_reminder",
        title=N_("Notice to read"),
        message=N_("The office asks you to read the notice “%(title)s”."),
        params={"title": found["title"]},
        link=f"/notices/#notice-{found['id']}",
    )
    audience = notifications.Audience(users=tuple(accounts), external=False)
    await notifications.enqueue(f"notice_reminder:{round_id}", note, audience, urgent=False)
