"""Copy last week (复制上周排班): the week before, shift by shift, onto the week shown, for
one department or the whole hall, never giving one person two posts at once."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server.audit import service as audit
from server.audit.service import Actor
from server.db import write_transaction
from server.duty import rules
from server.duty.service import shifts_between
from server.duty.tables import DutyShift
from server.org.tables import Person
from sync.db import is_sqlite


@dataclass(frozen=True)
class Copied:
    """What copying last week did: how many shifts it added, and the shifts it left out
    because their person has another shift at that time in the week copied onto."""

    added: int
    skipped: list[dict]


async def copy_last_week(monday: dt.date, actor: Actor, scope: int | None) -> Copied:
    """Copy the week before `monday`'s week onto it, shift by shift, skipping any shift the
    week already has (same key); `scope` is the department copied (None: all). A shift whose
    person already has an overlapping shift that day is not copied but listed as skipped.
    Running it twice adds nothing."""
    monday = rules.week_of(monday)
    source = await shifts_between(
        monday - dt.timedelta(days=7), monday - dt.timedelta(days=1), scope
    )
    added, skipped = 0, []
    async with write_transaction():
        if not is_sqlite() and source:  # as add_shift does: one person's plans take turns
            people = sorted({s["person"] for s in source})
            await Person.select(Person.id).where(Person.id.is_in(people)).lock_rows()
        week = await DutyShift.select(
            DutyShift.key, DutyShift.person, DutyShift.day, DutyShift.start, DutyShift.end
        ).where((DutyShift.day >= monday) & (DutyShift.day < monday + dt.timedelta(days=7)))
        keys = {r["key"] for r in week}
        busy: dict[tuple, list[tuple[int, int]]] = {}
        for r in week:
            busy.setdefault((r["person"], r["day"]), []).append(rules.span(r))
        for old in source:
            day = old["day"] + dt.timedelta(days=7)
            key = rules.shift_key(day, old["post"], old["window"], old["person"], old["start"])
            if key in keys:
                continue
            taken = busy.setdefault((old["person"], day), [])
            if any(rules.overlaps(rules.span(old), other) for other in taken):
                skipped.append({**old, "day": day})
                continue
            taken.append(rules.span(old))
            fields = {
                c: old[c]
                for c in ("post", "window", "person", "department", "start", "end", "phone")
            }
            await DutyShift.insert(
                DutyShift(
                    # Derived from the copied shift, so even a racing second copy collides.
                    id=uuid.uuid5(old["id"], day.isoformat()),
                    key=key,
                    day=day,
                    created_by=actor.username,
                    **fields,
                )
            )
            keys.add(key)
            added += 1
        if added:
            done = {"added": added, "skipped": len(skipped), "scope": scope}
            await audit.record(actor, "copy_week", "duty_shift", monday, None, done)
    return Copied(added, skipped)
