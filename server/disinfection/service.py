"""Disinfection (定期、定点消毒): the points the office manages and the rounds logged at them.

Every write is idempotent on its id (made when the form was rendered, or on the phone) and
writes its audit row in the same transaction. A round is also noted in the change feed for
every phone (device ""), so each desk sees the hall's rounds, not only its own."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from piccolo.query.functions.aggregate import Count

from server import cache, clock
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid, Problem
from server.db import write_transaction
from server.disinfection.schedule import point_state
from server.disinfection.tables import DisinfectionPoint, DisinfectionRound
from server.i18n import N_
from server.policy.service import Policy
from sync.feed import note_change
from sync.protocol import jsonable

MAX_TIMES_PER_DAY = 24
POINT_FIELDS = ("id", "name", "area", "times_per_day", "agent", "concentration")


@dataclass(frozen=True)
class Recorded:
    """The stored row after a write, and whether this call stored it (False: a replay)."""

    row: dict
    created: bool


def _text(form: dict, name: str, limit: int) -> str:
    return str(form.get(name) or "").strip()[:limit]


def clean_point(form: dict) -> dict:
    """A point's fields from a form; raises Invalid naming every bad field at once."""
    problems = []
    name = _text(form, "name", 50)
    if not name:
        problems.append(Problem("name", N_("Enter the point's name")))
    times = str(form.get("times_per_day") or "").strip()
    if not times.isdigit() or not 1 <= int(times) <= MAX_TIMES_PER_DAY:
        message = N_("Times per day: a whole number from 1 to %(most)s")
        problems.append(Problem("times_per_day", message, {"most": MAX_TIMES_PER_DAY}))
    if problems:
        raise Invalid(problems)
    return {
        "name": name,
        "area": _text(form, "area", 50),
        "times_per_day": int(times),
        "agent": _text(form, "agent", 50),
        "concentration": _text(form, "concentration", 50),
        # The edit form shows the "in use" box (an unticked box sends nothing); a new point
        # is in use.
        "active": form.get("active") == "1" if "active_shown" in form else True,
    }


async def point(point_id: uuid.UUID) -> dict | None:
    return await DisinfectionPoint.select().where(DisinfectionPoint.id == point_id).first()


async def _name_taken(name: str, other_than: uuid.UUID) -> bool:
    return await DisinfectionPoint.exists().where(
        (DisinfectionPoint.name == name) & (DisinfectionPoint.id != other_than)
    )


async def save_point(entry_id: uuid.UUID, form: dict, actor: Actor) -> Recorded:
    """Create the point `entry_id`, or change it when it exists (the same form twice
    changes nothing)."""
    fields = clean_point(form)
    async with write_transaction():
        if await _name_taken(fields["name"], entry_id):
            raise Invalid([Problem("name", N_("There is already a point with this name"))])
        before = await point(entry_id)
        if before is None:
            await DisinfectionPoint.insert(DisinfectionPoint(id=entry_id, **fields))
        elif all(before[k] == v for k, v in fields.items()):
            return Recorded(before, created=False)
        else:
            await DisinfectionPoint.update(fields).where(DisinfectionPoint.id == entry_id)
        after = await point(entry_id)
        action = "create" if before is None else "update"
        await audit.record(actor, action, "disinfection_point", entry_id, before, after)
    return Recorded(after, created=before is None)


@cache.kept("disinfection_point")
async def active_points() -> list[dict]:
    """The points in use, as the desk phone keeps them offline."""
    return (
        await DisinfectionPoint.select(*(getattr(DisinfectionPoint, f) for f in POINT_FIELDS))
        .where(DisinfectionPoint.active == True)  # noqa: E712
        .order_by(DisinfectionPoint.area)
        .order_by(DisinfectionPoint.name)
    )


async def all_points() -> list[dict]:
    return await DisinfectionPoint.select().order_by(DisinfectionPoint.name)


def clean_round(fields: dict) -> dict:
    """A round's fields as the desk sends them; raises Invalid naming every bad field."""
    problems = []
    point_id = None
    try:
        point_id = uuid.UUID(str(fields.get("point") or ""))
    except ValueError:
        problems.append(Problem("point", N_("Choose the disinfection point")))
    done_by = _text(fields, "done_by", 50)
    if not done_by:
        problems.append(Problem("done_by", N_("Enter who disinfected")))
    if problems:
        raise Invalid(problems)
    return {
        "point": point_id,
        "done_by": done_by,
        "agent": _text(fields, "agent", 50),
        "concentration": _text(fields, "concentration", 50),
    }


def round_rows():
    return DisinfectionRound.select(
        *DisinfectionRound.all_columns(),
        DisinfectionRound.point.name.as_alias("point_name"),
        DisinfectionRound.recorded_by.username.as_alias("recorded_by_name"),
    )


async def round_row(round_id: uuid.UUID) -> dict | None:
    return await round_rows().where(DisinfectionRound.id == round_id).first()


async def record_round(
    entry_id: uuid.UUID,
    fields: dict,
    actor: Actor,
    done_at: dt.datetime | None = None,
    clock_flag: str = "",
) -> Recorded:
    """Log a round (or return the one already stored under `entry_id`). The agent and its
    strength default to the point's own."""
    cleaned = clean_round(fields)
    async with write_transaction():
        target = await point(cleaned["point"])
        if target is None or not target["active"]:
            raise Invalid([Problem("point", N_("Choose the disinfection point"))])
        inserted = (
            await DisinfectionRound.insert(
                DisinfectionRound(
                    id=entry_id,
                    point=target["id"],
                    done_at=done_at or clock.now(),
                    agent=cleaned["agent"] or target["agent"],
                    concentration=cleaned["concentration"] or target["concentration"],
                    done_by=cleaned["done_by"],
                    device=actor.device,
                    recorded_by=actor.user_id,
                    clock_flag=clock_flag,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(DisinfectionRound.id)
        )
        stored = await round_row(entry_id)
        if not inserted:
            return Recorded(stored, created=False)
        await audit.record(actor, "create", "disinfection_round", entry_id, None, stored)
        await note_change("disinfection_round", entry_id)
    return Recorded(stored, created=True)


async def rounds_on(day: dt.date) -> list[dict]:
    """The day's rounds (hall's local day), oldest first: the record sheet's lines."""
    start, end = clock.day_bounds(day)
    return (
        await round_rows()
        .where((DisinfectionRound.done_at >= start) & (DisinfectionRound.done_at < end))
        .order_by(DisinfectionRound.done_at)
    )


def phone_round(row: dict) -> dict:
    """A round as phones keep it: JSON, nothing personal beyond the disinfector's name."""
    keep = ("id", "point", "point_name", "done_at", "agent", "concentration", "done_by")
    return jsonable({k: row[k] for k in keep})


async def board(now: dt.datetime, policy: Policy) -> list[dict]:
    """Every active point's standing today at `now`: done, due, overdue (red), next due."""
    start, end = clock.day_bounds(clock.local(now).date())
    counts = await (
        DisinfectionRound.select(DisinfectionRound.point, Count(DisinfectionRound.id).as_alias("n"))
        .where((DisinfectionRound.done_at >= start) & (DisinfectionRound.done_at < end))
        .group_by(DisinfectionRound.point)
    )
    done = {row["point"]: row["n"] for row in counts}
    return [point_state(p, done.get(p["id"], 0), now, policy) for p in await active_points()]
