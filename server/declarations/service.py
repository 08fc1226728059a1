"""Submitting health declarations (健康申报): one per person per local day, a later
submission amends it and every submission is kept. Idempotent on the submission's id; every
write audited in its own transaction. A new risk answer sends the person home (SPEC rule 4):
the office and the department head are alerted and an incident is raised."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.db import write_transaction
from server.declarations import alerts, status
from server.declarations.access import person_row
from server.declarations.fatigue import LOOKBACK_DAYS, fatigue_flags
from server.declarations.rules import clean_answers, risk_reasons, state_after_declaration
from server.declarations.tables import Declaration, DeclarationRevision
from server.incidents.service import raise_incident
from server.policy.service import Policy
from sync.db import is_sqlite
from sync.protocol import jsonable


@dataclass(frozen=True)
class Submitted:
    """The declaration after a submission; `created` is False for a replay of a submission
    stored before, `state` the person's work status afterwards."""

    declaration: dict
    created: bool
    amended: bool
    state: str
    new_risks: list[str]


class WrongDay(ValueError):
    """A declaration id already used for another person or day."""


def declaration_rows():
    return Declaration.select(
        *Declaration.all_columns(),
        Declaration.person.name.as_alias("person_name"),
        Declaration.person.department.name.as_alias("department_name"),
        Declaration.entered_by.username.as_alias("entered_by_name"),
    )


async def declaration(declaration_id: uuid.UUID) -> dict | None:
    return await declaration_rows().where(Declaration.id == declaration_id).first()


async def declaration_on(person_id: int, day: dt.date) -> dict | None:
    return await declaration_rows().where(Declaration.day_key == _day_key(person_id, day)).first()


def _day_key(person_id: int, day: dt.date) -> str:
    return f"{person_id}|{day.isoformat()}"


async def _locked_day(person_id: int, day: dt.date) -> dict | None:
    """The person's declaration of `day`, locked until the transaction ends."""
    query = Declaration.select().where(Declaration.day_key == _day_key(person_id, day))
    if not is_sqlite():
        query = query.lock_rows()
    return await query.first()


async def _fatigue(person_id: int, day: dt.date, today: dict) -> str:
    """The fatigue flags of `today`'s answers against the person's previous days."""
    since = day - dt.timedelta(days=LOOKBACK_DAYS)
    earlier = await Declaration.select().where(
        (Declaration.person == person_id) & (Declaration.day >= since) & (Declaration.day < day)
    )
    return ",".join(fatigue_flags([*earlier, today]))


async def submit_declaration(
    person_id: int,
    form: dict,
    actor: Actor,
    policy: Policy,
    *,
    submission_id: uuid.UUID,
    declaration_id: uuid.UUID | None = None,
    now: dt.datetime | None = None,
    by_head: bool = False,
    clock_flag: str = "",
) -> Submitted:
    """Store the person's declaration for the local day of `now` (when it was filled in), or
    amend the one stored; raises Invalid for bad answers, LookupError for an unknown person,
    WrongDay for a declaration id of another day."""
    answers = clean_answers(form, policy)
    person = await person_row(person_id)
    if person is None:
        raise LookupError(person_id)
    now = now or clock.now()
    day = clock.local(now).date()
    async with write_transaction():
        if (replayed := await _replayed(submission_id)) is not None:
            return await _replay(replayed, person_id)
        before = await _locked_day(person_id, day)
        risks = risk_reasons(answers, policy)
        fields = _fields(answers, risks, policy, actor, now, by_head, clock_flag)
        fields["flags"] = await _fatigue(
            person_id, day, {**fields, "day": day, "submitted_at": _first(before, now)}
        )
        if before is None:
            before = await _create(person_id, day, declaration_id or submission_id, fields, now)
        if before is not None:
            await _amend(before, fields)
        stored = await declaration_on(person_id, day)
        await _keep_revision(submission_id, stored, answers, now, by_head, actor)
        old_risks = set(before["risks"].split(",")) if before else set()
        new_risks = [r for r in risks if r not in old_risks]
        action = "amend" if before else "create"
        await audit.record(actor, action, "declaration", stored["id"], before, stored)
        state = await _consequences(person, stored, new_risks, actor, now)
    return Submitted(stored, True, before is not None, state, new_risks)


async def _replayed(submission_id: uuid.UUID) -> uuid.UUID | None:
    """The declaration a submission with this id was stored in, if it was."""
    row = (
        await DeclarationRevision.select(DeclarationRevision.declaration)
        .where(DeclarationRevision.id == submission_id)
        .first()
    )
    return row["declaration"] if row else None


def _fields(answers, risks, policy, actor, now, by_head, clock_flag) -> dict:
    """The declaration's columns a submission sets (all but its id, person, day and the
    first submission's time)."""
    return {
        **answers,
        "symptoms": ",".join(answers["symptoms"]),
        "risks": ",".join(risks),
        "fever_threshold": policy.fever_threshold,
        "by_head": by_head,
        "entered_by": actor.user_id,
        "updated_at": now,
        "clock_flag": clock_flag,
        "device": actor.device,
    }


def _first(before: dict | None, now: dt.datetime) -> dt.datetime:
    return before["submitted_at"] if before else now


async def _create(person_id, day, declaration_id, fields, now) -> dict | None:
    """Insert the day's declaration; the one stored already (by a concurrent submission)
    when the database refused a second one for the day."""
    inserted = (
        await Declaration.insert(
            Declaration(
                id=declaration_id,
                person=person_id,
                day=day,
                day_key=_day_key(person_id, day),
                submitted_at=now,
                **fields,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(Declaration.id)
    )
    if inserted:
        return None
    existing = await _locked_day(person_id, day)
    if existing is None:
        raise WrongDay(declaration_id)
    return existing


async def _amend(before: dict, fields: dict) -> None:
    await Declaration.update(
        {
            **{getattr(Declaration, name): value for name, value in fields.items()},
            Declaration.version: Declaration.version + 1,
        }
    ).where(Declaration.id == before["id"])


async def _keep_revision(submission_id, stored, answers, now, by_head, actor) -> None:
    await DeclarationRevision.insert(
        DeclarationRevision(
            id=submission_id,
            declaration=stored["id"],
            version=stored["version"],
            answers=jsonable(answers),
            submitted_at=now,
            by_head=by_head,
            entered_by=actor.user_id,
        )
    )


async def _consequences(person, stored, new_risks, actor, now) -> str:
    """Send the person home for a new risk answer: status, alerts, incident. Their work
    status afterwards."""
    current = await status.state_of(person["id"])
    target = state_after_declaration(current["state"], new_risks)
    if target is None:
        return current["state"]
    ref = str(stored["id"])
    change = await status.change_state(
        person["id"], target, "declaration", actor, ref=ref, note=",".join(new_risks), now=now
    )
    if change is not None:  # None: a concurrent submission sent them home, and told, first
        await alerts.notify("stay_home", person, change["id"], {"risks": new_risks})
    await raise_incident(
        "declaration",
        ref,
        person["name"],
        person["department_name"] or "",
        f"{stored['temperature']:.1f} °C",
        now,
        actor,
        reason="declaration",
        department=person["department"],
    )
    return target.value


async def _replay(declaration_id: uuid.UUID, person_id: int) -> Submitted:
    stored = await declaration(declaration_id)
    state = (await status.state_of(person_id))["state"]
    return Submitted(stored, False, False, state, [])


async def recent(person_id: int, days: int = 30) -> list[dict]:
    """The person's declarations of the last `days` days, newest first, each with its
    earlier submissions (`revisions`, oldest first) when it was amended."""
    since = clock.today() - dt.timedelta(days=days)
    rows = (
        await declaration_rows()
        .where((Declaration.person == person_id) & (Declaration.day > since))
        .order_by(Declaration.day, ascending=False)
    )
    amended = [r["id"] for r in rows if r["version"] > 1]
    revisions: dict = {}
    if amended:
        for rev in (
            await DeclarationRevision.select(
                *DeclarationRevision.all_columns(),
                DeclarationRevision.entered_by.username.as_alias("entered_by_name"),
            )
            .where(DeclarationRevision.declaration.is_in(amended))
            .order_by(DeclarationRevision.version)
            .output(load_json=True)
        ):
            # The answers as a declaration row shows them (symptoms comma-separated).
            symptoms = ",".join(rev["answers"].get("symptoms") or [])
            rev["answers"] = {**rev["answers"], "symptoms": symptoms}
            revisions.setdefault(rev["declaration"], []).append(rev)
    return [{**r, "revisions": revisions.get(r["id"], [])} for r in rows]
