"""The daily digest: everything not urgent that was held for a target goes out as one message
per target a day, instead of one e-mail per change (SORMAS #3211)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from server import clock
from server.db import write_transaction
from server.i18n import DEFAULT_LOCALE, N_, labelled, translate
from server.notify.tables import OutboxMessage, OutboxStatus


def digest_body(rows: list[dict]) -> str:
    """One line a notification, in the default language as the subject is."""
    return "\n".join(
        labelled(
            DEFAULT_LOCALE,
            f"{clock.local(r['created_at']).strftime('%m-%d %H:%M')} {r['subject']}",
            r["body"],
        )
        for r in rows
    )


async def send_digest(now: dt.datetime) -> dict:
    """Gather the held rows into one digest row per (channel, target) for today. A target that
    already had today's digest keeps its newer rows held for tomorrow's."""
    day = clock.local(now).date().isoformat()
    subject = translate(DEFAULT_LOCALE, N_("Hallwatch daily digest %(day)s"), {"day": day})
    digests = carried = 0
    async with write_transaction():
        held = (
            await OutboxMessage.select()
            .where(OutboxMessage.status == OutboxStatus.held)
            .order_by(OutboxMessage.created_at)
        )
        groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in held:
            groups[(row["channel"], row["recipient"])].append(row)
        for (channel, recipient), rows in groups.items():
            key = f"digest:{day}|{channel}:{recipient}"
            made = (
                await OutboxMessage.insert(
                    OutboxMessage(
                        id=uuid.uuid4(),
                        key=key,
                        event=f"digest:{day}",
                        channel=channel,
                        recipient=recipient,
                        kind="digest",
                        subject=subject,
                        body=digest_body(rows),
                        status=OutboxStatus.pending,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
                .on_conflict(target=OutboxMessage.key, action="DO NOTHING")
                .returning(OutboxMessage.id)
            )
            if not made:
                continue
            await OutboxMessage.update(
                {OutboxMessage.status: OutboxStatus.digested, OutboxMessage.digest: key}
            ).where(OutboxMessage.id.is_in([r["id"] for r in rows]))
            digests += 1
            carried += len(rows)
    return {"digests": digests, "notifications": carried}
