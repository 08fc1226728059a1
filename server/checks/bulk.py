"""A batch's new visitor checks stored together: validated in Python, then one bulk insert
each for the checks and their audit rows, on the batch transaction's own connection
(prepared executemany on SQLite, COPY on PostgreSQL). Answers are the same as one-by-one
applying gives.

Nothing else is written per check: each check is its mutation's ledger entry (sync/ingest.py),
and the change feed is not told, because the one phone that would pull a new check is the one
that pushed it, and the push's answer carries the stored row to it (a lost answer is a retry,
answered `duplicate` with the row). The feed still carries every later change to the check.

Speed matters here (a phone back online sends up to 1,000 entries at once), so each row is
built once in its JSON-ready form and the audit trail, the answer and the ledger reuse it,
instead of walking it again with `jsonable` for each."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from server.accounts.tables import UserAccount
from server.audit.service import Actor
from server.checks.holds import raise_if_newly_held
from server.checks.rules import Invalid, first_reading_status
from server.checks.service import validate_visitor, visitor_rows
from server.checks.tables import VisitorCheck
from server.i18n import N_
from server.org.tables import Window
from server.policy.service import load_policy
from server.privacy import mask_id_number, mask_phone, masked_row
from sync.db import any_of, fetch, insert_many
from sync.ingest import Origin, Rejected
from sync.protocol import Mutation, Result, Status, clock_flag

COLUMNS = tuple(c._meta.db_column_name for c in VisitorCheck._meta.columns)
AUDIT_COLUMNS = ("at", "actor", "actor_id", "device", "action", "entity", "entity_id", "after")
_encode = msgspec.json.Encoder().encode


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


async def _existing(ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` are stored already (only their ids: a full row is read for the few
    duplicates alone)."""
    if not ids:
        return set()
    condition, args = any_of("id", ids)
    rows = await fetch(f"SELECT id FROM visitor_check WHERE {condition}", *args)
    return {uuid.UUID(str(r["id"])) for r in rows}


async def _stored(ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    if not ids:
        return {}
    return {r["id"]: r for r in await visitor_rows().where(VisitorCheck.id.is_in(ids))}


def _shown(
    m: Mutation,
    entity_text: str,
    fields: dict,
    window: dict | None,
    by: int | None,
    origin: Origin,
    policy,
    now: str,
) -> dict:
    """The stored form of a new visitor check, every column set, JSON-ready (times and ids
    as text) and with the names the readers join in: what the audit trail and the answer
    show (`now` is the batch's time, already as text)."""
    return {
        **dict.fromkeys(COLUMNS),
        **fields,
        "id": entity_text,
        "symptoms": ",".join(fields["symptoms"]),
        "window": window["id"] if window else None,
        "status": first_reading_status(
            fields["temperature"], fields["symptoms"], fields["travel_or_contact"], policy
        ).value,
        "time_in": m.captured_at.isoformat(),
        "device": origin.device,
        "recorded_by": by,
        "created_at": now,
        "version": 1,
        "field_meta": "{}",
        "window_code": window["code"] if window else None,
    }


def _column_values(shown: dict, m: Mutation, now: dt.datetime) -> tuple:
    """The row to insert: `shown`'s values with the id and times as the driver takes them."""
    values = {**shown, "id": m.entity_id, "time_in": m.captured_at, "created_at": now}
    return tuple(values[c] for c in COLUMNS)


async def create_visitor_checks(mutations: list[Mutation], origin: Origin) -> list:
    """Answers for `visitor_check.create` mutations, in order."""
    policy, windows = await load_policy(), await _windows()
    users = await _usernames({m.by for m in mutations if m.by is not None})
    existing = await _existing([m.entity_id for m in mutations])
    now = dt.datetime.now(dt.UTC)
    now_text = now.isoformat()
    answers, checks, audits, held = [], [], [], []
    for m in mutations:
        try:
            fields = validate_visitor(m.fields, policy)
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
        purpose = fields["purpose"]
        window = windows.get(purpose.split(" ", 1)[0]) or windows.get(purpose)
        entity_text = m.entity_text
        shown = _shown(m, entity_text, fields, window, by, origin, policy, now_text)
        shown["clock_flag"] = clock_flag(m.captured_at, now) or ""
        shown["recorded_by_name"] = username = users.get(by)
        checks.append(_column_values(shown, m, now))
        actor_name = username or origin.username
        audits.append(
            (
                now,
                actor_name,
                by,
                origin.device,
                "create",
                "visitor_check",
                entity_text,
                _encode(shown).decode(),
            )
        )
        if shown["status"] == "held":
            actor = Actor(username=actor_name, user_id=by, device=origin.device)
            held.append(({**shown, "time_in": m.captured_at}, actor))
        existing.add(m.entity_id)
        masked = {
            **shown,
            "phone": mask_phone(shown["phone"]),
            "id_number": mask_id_number(shown["id_number"]),
        }
        answers.append(Result(id=str(m.id), status=Status.applied, version=1, row=masked))
    await insert_many("visitor_check", COLUMNS, checks)
    await insert_many("audit_entry", AUDIT_COLUMNS, audits)
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
