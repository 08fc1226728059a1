"""Visitor pre-registration (预约登记): a visitor fills in the desk's questions on their own
phone, gets a short code, and the desk adds only the temperature.

The pre-registration is written once (idempotent on the id its form carried) and read by the
desks: phones keep a masked copy offline (the change feed, shared by every desk), and the
server fills the full mobile number in when the desk's check arrives, so no desk phone ever
holds a visitor's full number before they have even come in."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from piccolo.columns.combination import And

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.checks import service as checks
from server.checks.retention import cutoff
from server.checks.rules import Invalid, Problem, clean_fields, count_typed_symptom
from server.db import write_transaction
from server.devices.service import CODE_ALPHABET, normalise_code
from server.i18n import N_
from server.policy.service import Policy
from server.privacy import masked_row
from server.visitors.tables import Preregistration
from sync.feed import note_change

CODE_LENGTH = 6  # 32^6 ≈ 10^9 codes; read aloud or typed at the desk
ASKED = ("name", "phone", "purpose", "symptoms", "symptoms_other", "travel_or_contact")
PUBLIC = Actor(username="visitor")  # the audit's "who": an anonymous visitor's own phone
ENTITY = "visitor_prereg"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def expiry(now: dt.datetime) -> dt.datetime:
    """The end of the next day in the hall: come today or tomorrow."""
    return clock.day_bounds(clock.local(now).date() + dt.timedelta(days=1))[1]


def last_day(expires_at: dt.datetime) -> dt.date:
    """The last hall day a code is good for, as the visitor is told it: the code expires at
    the start of the day after."""
    return clock.local(expires_at - dt.timedelta(microseconds=1)).date()


def clean_prereg(form: dict, policy: Policy) -> dict:
    """The asked fields, cleaned by the desk's own rules (server/checks/rules.py); the 14-day
    question must be answered, not left to a default."""
    problems = []
    try:
        fields = clean_fields(form, ASKED, policy)
    except Invalid as bad:
        problems, fields = list(bad.problems), {}
    if form.get("travel_or_contact") not in ("yes", "no"):
        problems.append(Problem("travel_or_contact", N_("Answer the 14-day question")))
    if problems:
        raise Invalid(problems)
    count_typed_symptom(fields)
    return {**fields, "symptoms": ",".join(fields["symptoms"])}


async def by_id(prereg_id: uuid.UUID) -> dict | None:
    return await Preregistration.select().where(Preregistration.id == prereg_id).first()


async def by_code(code: str) -> dict | None:
    text = normalise_code(code)
    return await Preregistration.select().where(Preregistration.code == text).first()


async def create(entry_id: uuid.UUID, form: dict, policy: Policy) -> dict:
    """Store a pre-registration (or return the one already stored under `entry_id`); every
    desk phone is told of it through the change feed."""
    fields = clean_prereg(form, policy)
    now = clock.now()
    async with write_transaction():
        if stored := await by_id(entry_id):
            return stored
        code = new_code()
        while await Preregistration.exists().where(Preregistration.code == code):
            code = new_code()
        row = Preregistration(id=entry_id, code=code, expires_at=expiry(now), **fields)
        await Preregistration.insert(row)
        # The trail says a pre-registration was made, not what it says: the record itself
        # is the only copy of the visitor's answers, and it is purged on time.
        await audit.record(PUBLIC, "create", ENTITY, entry_id, None, {"code": code})
        await note_change(ENTITY, entry_id)
    return await by_id(entry_id)


def phone_row(row: dict) -> dict:
    """A pre-registration as desk phones keep it: the mobile number masked."""
    keep = ("id", "code", "name", "phone", "purpose", "symptoms", "symptoms_other")
    shown = {k: row[k] for k in keep}
    shown.update(travel_or_contact=bool(row["travel_or_contact"]), used=row["check_id"] is not None)
    return masked_row({**shown, "expires_at": row["expires_at"]})


async def phone_row_by_id(prereg_id: uuid.UUID) -> dict | None:
    row = await by_id(prereg_id)
    return phone_row(row) if row else None


def _current(now: dt.datetime):
    return And(Preregistration.expires_at > now, Preregistration.check_id.is_null())


async def current(now: dt.datetime) -> list[dict]:
    """Pre-registrations not expired and not used yet: what a desk phone must hold."""
    return await Preregistration.select().where(_current(now)).order_by(Preregistration.code)


async def recent(now: dt.datetime) -> list[dict]:
    """Today's and yesterday's pre-registrations, newest first, for the office."""
    since = clock.day_bounds(clock.local(now).date() - dt.timedelta(days=1))[0]
    return (
        await Preregistration.select()
        .where(Preregistration.created_at >= since)
        .order_by(Preregistration.created_at, ascending=False)
    )


async def record_check(
    entry_id: uuid.UUID,
    fields: dict,
    actor: Actor,
    policy: Policy,
    now: dt.datetime | None = None,
    clock_flag: str = "",
) -> checks.Recorded:
    """The desk's visitor check from a pre-registration: the visitor's own answers, with
    the temperature the desk took. An expired code still counts when the desk used it
    before it expired (a phone may be offline for a while); the code is linked to its
    first check."""
    at = now or clock.now()
    found = await by_code(str(fields.get("prereg") or ""))
    if found is None or at > found["expires_at"]:
        message = N_("No valid pre-registration has this code: enter the visitor by hand")
        raise Invalid([Problem("prereg", message)])
    form = {k: found[k] for k in ASKED}
    form["travel_or_contact"] = "yes" if found["travel_or_contact"] else "no"
    form["temperature"] = fields.get("temperature", "")
    async with write_transaction():
        recorded = await checks.record_visitor_check(
            entry_id, form, actor, policy, now=at, clock_flag=clock_flag
        )
        if found["check_id"] is None:
            await Preregistration.update(
                {Preregistration.check_id: entry_id, Preregistration.used_at: at}
            ).where(Preregistration.id == found["id"])
            await note_change(ENTITY, found["id"])
    return recorded


async def purge(now: dt.datetime, policy: Policy) -> int:
    """Pre-registrations fall under the visitor retention period: made before its cutoff,
    they go, and the phones are told to drop their copies."""
    rows = await Preregistration.select(Preregistration.id).where(
        Preregistration.created_at < cutoff(now, policy)
    )
    if not rows:
        return 0
    ids = [r["id"] for r in rows]
    async with write_transaction():
        await Preregistration.delete().where(Preregistration.id.is_in(ids))
        for prereg_id in ids:
            await note_change(ENTITY, prereg_id, op="delete")
    return len(ids)
