"""Enqueuing notifications inside the caller's transaction, and each account's in-app list.

`enqueue` writes everything a cause leads to — the in-app rows and the outbox rows of the
webhook and e-mail — in the transaction the caller has open (it joins it; alone it opens its
own), so a notification exists exactly when the change that caused it was committed. Urgent
ones are due at once; the rest are held for the daily digest (one message per target a day)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from server import clock
from server.accounts.tables import Role, UserAccount
from server.db import write_transaction
from server.i18n import DEFAULT_LOCALE, listed, translate
from server.notify import config
from server.notify.tables import (
    Channel,
    InAppNotification,
    NotificationEvent,
    OutboxMessage,
    OutboxStatus,
)
from server.org.tables import Department

SHOWN = 100


@dataclass(frozen=True)
class Audience:
    """Who a notification is for: every active account of `roles`, the heads of
    `department`, particular `users`; `in_app` puts it on their /notifications lists,
    `external` sends it to the group robot and to the roles' e-mail addresses (settings);
    `group_robot` False keeps a message meant for a few out of the whole group's chat."""

    roles: tuple[str, ...] = ()
    department: int | None = None
    users: tuple[int, ...] = ()
    in_app: bool = True
    external: bool = True
    group_robot: bool = True


@dataclass(frozen=True)
class Note:
    """What to say: msgids of a title and a text with its parameters (JSON values); `instead`,
    what the accounts of a role read in its place where the text's instruction or link is not
    for them (a head may not open the office's incident pages, nor is theirs the report)."""

    kind: str
    title: str
    message: str
    params: dict
    link: str = ""
    instead: Mapping[str, Note] = field(default_factory=dict)

    def for_role(self, role: str | None) -> Note:
        return self.instead.get(role, self) if role else self


async def enqueue(event_key: str, note: Note, audience: Audience, urgent: bool) -> bool:
    """Write the notifications of one cause, once: False when `event_key` was enqueued
    before (a replay or a job looking again), True when they were written now."""
    now = clock.now()
    async with write_transaction():
        fresh = (
            await NotificationEvent.insert(
                NotificationEvent(key=event_key, kind=note.kind, urgent=urgent, created_at=now)
            )
            .on_conflict(target=NotificationEvent.key, action="DO NOTHING")
            .returning(NotificationEvent.key)
        )
        if not fresh:
            return False
        users = await _accounts(audience) if audience.in_app else []
        if users:
            await InAppNotification.insert(
                *(_in_app(event_key, note.for_role(role), who, urgent, now) for who, role in users)
            ).on_conflict(target=InAppNotification.key, action="DO NOTHING")
        rows = [
            _outbox(event_key, note.for_role(role), channel, target, urgent, now)
            for channel, target, role in await _external_targets(audience)
        ]
        if rows:
            await OutboxMessage.insert(*rows).on_conflict(
                target=OutboxMessage.key, action="DO NOTHING"
            )
    return True


def render(note: Note, locale: str = DEFAULT_LOCALE) -> tuple[str, str]:
    """(subject, text) as the webhook and the e-mail carry them."""
    text = translate(locale, note.message, worded(locale, note.params))
    return translate(locale, note.title), text


def worded(locale: str, params: dict) -> dict:
    """A note's parameters as its text reads them in `locale`: a list enumerated (一、二;
    one, two). A list is stored as one, not joined, because an in-app note is read in each
    reader's language; a string joined before that stays as it was."""
    return {
        key: listed(locale, value) if isinstance(value, list) else value
        for key, value in params.items()
    }


def _in_app(event_key: str, note: Note, user: int, urgent: bool, now) -> InAppNotification:
    return InAppNotification(
        id=uuid.uuid4(),
        key=f"{event_key}|user:{user}",
        user=user,
        kind=note.kind,
        urgent=urgent,
        message=note.message,
        params=note.params,
        link=note.link,
        created_at=now,
    )


def _outbox(event_key, note: Note, channel: Channel, target: str, urgent, now) -> OutboxMessage:
    subject, body = render(note)
    return OutboxMessage(
        id=uuid.uuid4(),
        key=f"{event_key}|{channel.value}:{target}",
        event=event_key,
        channel=channel,
        recipient=target,
        kind=note.kind,
        subject=subject[:200],
        body=body,
        status=OutboxStatus.pending if urgent else OutboxStatus.held,
        next_attempt_at=now,
        created_at=now,
    )


async def _accounts(audience: Audience) -> list[tuple[int, str]]:
    """Active accounts the audience names, with their roles."""
    wanted = []
    if audience.roles:
        wanted.append(UserAccount.role.is_in(list(audience.roles)))
    if audience.department is not None:
        wanted.append(
            (UserAccount.role == Role.head) & (UserAccount.department == audience.department)
        )
    if audience.users:
        wanted.append(UserAccount.id.is_in(list(audience.users)))
    if not wanted:
        return []
    where = wanted[0]
    for more in wanted[1:]:
        where = where | more
    active = UserAccount.active == True  # noqa: E712
    rows = await UserAccount.select(UserAccount.id, UserAccount.role).where(where & active)
    return sorted((r["id"], r["role"]) for r in rows)


async def _external_targets(audience: Audience) -> list[tuple[Channel, str, str | None]]:
    """(channel, target, reader's role) from the settings: the group robot (the whole group
    reads it: no one role), and the e-mail addresses of the roles and of the department's
    heads."""
    if not audience.external:
        return []
    found = config.targets()
    targets: list[tuple[Channel, str, str | None]] = []
    if found.webhook_url and audience.group_robot:
        targets.append((Channel.webhook, found.webhook_url, None))
    if not found.smtp_on:
        return targets
    # An address given twice reads as where it is first given: a role's before a head's.
    readers: dict[str, str] = {}
    for role in audience.roles:
        for address in found.emails.get(role, ()):
            readers.setdefault(address, role)
    if audience.department is not None:
        row = (
            await Department.select(Department.name)
            .where(Department.id == audience.department)
            .first()
        )
        for address in found.head_emails.get(row["name"], ()) if row else ():
            readers.setdefault(address, Role.head.value)
    targets += [(Channel.email, address, role) for address, role in readers.items()]
    return targets


# The in-app list.


async def for_user(user_id: int) -> list[dict]:
    """This account's latest notifications, newest first."""
    return (
        await InAppNotification.select()
        .where(InAppNotification.user == user_id)
        .order_by(InAppNotification.created_at, ascending=False)
        .limit(SHOWN)
        .output(load_json=True)
    )


async def unread_count(user_id: int) -> int:
    return await InAppNotification.count().where(
        (InAppNotification.user == user_id) & InAppNotification.read_at.is_null()
    )


async def mark_read(user_id: int, notification_id: uuid.UUID | None = None) -> int:
    """Mark one of this account's notifications read, or all of them; how many changed.
    Reading again changes nothing; someone else's notification is never touched."""
    where = (InAppNotification.user == user_id) & InAppNotification.read_at.is_null()
    if notification_id is not None:
        where = where & (InAppNotification.id == notification_id)
    async with write_transaction():
        changed = (
            await InAppNotification.update({InAppNotification.read_at: clock.now()})
            .where(where)
            .returning(InAppNotification.id)
        )
    return len(changed)


def local_text(moment: dt.datetime) -> str:
    """A moment as the hall reads it in a message: "05-03 14:20"."""
    return clock.local(moment).strftime("%m-%d %H:%M")
