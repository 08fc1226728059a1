"""A batch's new visitor checks stored together: validated in Python, then one prepared
insert each for the checks, their audit rows and their change-feed notes, on the batch
transaction's own connection. Answers are the same as one-by-one applying gives."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from server.accounts.tables import UserAccount
from server.audit.service import Actor
from server.checks.holds import raise_if_newly_held
from server.checks.rules import Invalid, first_reading_status
from server.checks.service import CREATE_FIELDS, validate_visitor, visitor_rows
from server.checks.tables import VisitorCheck
from server.i18n import N_
from server.org.tables import Window
from server.policy.service import load_policy
from server.privacy import masked_row
from sync.db import executemany, is_sqlite
from sync.ingest import Origin, Rejected
from sync.protocol import Mutation, Result, Status, clock_flag, jsonable

COLUMNS = [c._meta.db_column_name for c in VisitorCheck._meta.columns]
# Quoted: "window" is a reserved word in PostgreSQL.
QUOTED = ", ".join('"' + c + '"' for c in COLUMNS)
INSERT_CHECK = (
    f"INSERT INTO visitor_check ({QUOTED}) VALUES ({', '.join('?' * len(COLUMNS))})"
)
INSERT_AUDIT = (
    "INSERT INTO audit_entry (at, actor, actor_id, device, action, entity, "
    "entity_id, before, after) VALUES (?, ?, ?, ?, 'create', 'visitor_check', ?, "
    "NULL, ?)"
)


def _insert_change() -> str:
    txid = "0" if is_sqlite() else "pg_current_xact_id()::text::bigint"
    return (
        "INSERT INTO sync_change (txid, entity, entity_id, device, op, changed_at) "
        f"VALUES ({txid}, 'visitor_check', ?, ?, 'upsert', ?)"
    )


async def _windows() -> dict[str, dict]:
    """Windows by code and by name, as a purpose may name either."""
    rows = await Window.select(Window.id, Window.code, Window.name)
    return {**{w["name"]: w for w in rows}, **{w["code"]: w for w in rows}}


async def _usernames(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await UserAccount.select(UserAccount.id, UserAccount.username).where(
        UserAccount.id.is_in(list(ids))
    )
    return {r["id"]: r["username"] for r in rows}


async def _stored(ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    if not ids:
        return {}
    return {r["id"]: r for r in await visitor_rows().where(VisitorCheck.id.is_in(ids))}


def _new_row(
    m: Mutation,
    fields: dict,
    window: dict | None,
    by: int | None,
    origin: Origin,
    policy,
    now: dt.datetime,
) -> dict:
    """The stored form of a new visitor check, every column set."""
    return {
        **{c: None for c in COLUMNS},
        **fields,
        "id": m.entity_id,
        "symptoms": ",".join(fields["symptoms"]),
        "window": window["id"] if window else None,
        "status": first_reading_status(
            fields["temperature"], fields["symptoms"], fields["travel_or_contact"], policy
        ),
        "time_in": m.captured_at,
        "device": origin.device,
        "recorded_by": by,
        "created_at": now,
        "version": 1,
        "field_meta": "{}",
        "clock_flag": clock_flag(m.captured_at, now) or "",
    }


async def create_visitor_checks(mutations: list[Mutation], origin: Origin) -> list:
    """Answers for `visitor_check.create` mutations, in order."""
    policy, windows = await load_policy(), await _windows()
    users = await _usernames({m.by for m in mutations if m.by is not None})
    existing = await _stored([m.entity_id for m in mutations])
    now = dt.datetime.now(dt.UTC)
    answers, checks, audits, changes, held = [], [], [], [], []
    for m in mutations:
        try:
            fields = validate_visitor(
                {k: m.fields.get(k) for k in CREATE_FIELDS if m.fields.get(k) is not None}, policy
            )
        except Invalid as bad:
            answers.append(
                Rejected(
                    N_("Please correct the marked fields."),
                    {p.field: (p.message, p.params) for p in bad.problems},
                )
            )
            continue
        if m.entity_id in existing:
            answers.append(m.entity_id)  # answered below with the stored row
            continue
        by = m.by if m.by in users else origin.user_id
        window = windows.get(fields["purpose"].split(" ", 1)[0]) or windows.get(fields["purpose"])
        row = _new_row(m, fields, window, by, origin, policy, now)
        shown = {
            **row,
            "window_code": window["code"] if window else None,
            "recorded_by_name": users.get(by),
        }
        actor = Actor(username=users.get(by, origin.username), user_id=by, device=origin.device)
        checks.append(tuple(row[c] for c in COLUMNS))
        audits.append(
            (now, actor.username, by, origin.device, str(m.entity_id), json.dumps(jsonable(shown)))
        )
        changes.append((str(m.entity_id), origin.device, now))
        if row["status"] == "held":
            held.append((shown, actor))
        existing[m.entity_id] = shown
        answers.append(
            Result(id=str(m.id), status=Status.applied, version=1, row=masked_row(shown))
        )
    await executemany(INSERT_CHECK, checks)
    await executemany(INSERT_AUDIT, audits)
    if origin.device:
        await executemany(_insert_change(), changes)
    for check, actor in held:
        await raise_if_newly_held("visitor_check", None, check, actor)
    return await _fill_duplicates(mutations, answers)


async def _fill_duplicates(mutations: list[Mutation], answers: list) -> list:
    """Entities already stored (before, or earlier in this batch) answer `duplicate` with
    the stored row."""
    wanted = [a for a in answers if isinstance(a, uuid.UUID)]
    stored = await _stored(wanted)
    return [
        Result(
            id=str(m.id),
            status=Status.duplicate,
            version=stored[a]["version"],
            row=masked_row(stored[a]),
        )
        if isinstance(a, uuid.UUID)
        else a
        for m, a in zip(mutations, answers, strict=True)
    ]
