"""Applying a pushed batch: each mutation answered on its own, none applied twice.

Domains register an applier per mutation kind. The batch runs in one write transaction with
a savepoint per mutation: a mutation that fails is rolled back alone and answered `rejected`
(or `retry`), the rest are stored. Each applied mutation's ledger row commits with its
effect, so a replay of any part of the batch returns the stored answer.

A record a bulk applier created is its own ledger entry: its id is the mutation's entity id,
so a replay finds it and is answered `duplicate` with the stored row (the bulk applier looks
for stored ids anyway). Only what it rejected is written to the ledger, so a rejection stays
one. That leaves one row less per new reading, the most common write of all."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import msgspec

from sync.db import any_of, current_transaction, fetch, insert_many, write_transaction
from sync.protocol import N_, STATUS_TEXT, BadMutation, Mutation, Result, Status, clock_flag

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Where a batch comes from: the enrolled device (or "" for a browser session), the
    account that entered the entries, and that account's role."""

    device: str
    user_id: int | None
    username: str
    role: str


class Rejected(Exception):
    """Raised by an applier: the mutation can never be applied as it is. `errors` maps
    fields to translatable messages; `params` fill their placeholders."""

    def __init__(self, reason: str, errors: dict[str, tuple[str, dict]] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.errors = errors or {}


Applier = Callable[[Mutation, Origin], Awaitable[Result]]
# Applies many new records of one kind at once; answers each (a Result, or the Rejected it
# would have raised), in order.
BulkApplier = Callable[[list[Mutation], Origin], Awaitable[list["Result | Rejected"]]]
Describe = Callable[[str, dict], str]


@dataclass
class Registry:
    """The mutation kinds the server accepts, each with its applier; a kind that only
    creates records may also give a bulk applier for a batch's new records."""

    appliers: dict[str, Applier] = field(default_factory=dict)
    bulk: dict[str, BulkApplier] = field(default_factory=dict)

    def register(self, kind: str, applier: Applier, bulk: BulkApplier | None = None) -> None:
        if kind in self.appliers:
            raise ValueError(f"{kind} is registered twice")
        self.appliers[kind] = applier
        if bulk is not None:
            self.bulk[kind] = bulk


async def _previous_answers(ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    """The stored answers of the mutations among `ids` that were answered before. Read on
    the batch's transaction, so on SQLite (writers serialised) no concurrent push can answer
    one of them between this read and the ledger write."""
    if not ids:
        return {}
    condition, args = any_of("id", ids)
    rows = await fetch(f"SELECT id, result FROM sync_applied_mutation WHERE {condition}", *args)
    return {uuid.UUID(str(row["id"])): _decode(row["result"]) for row in rows}


def _decode(stored) -> dict:
    return msgspec.json.decode(stored) if isinstance(stored, str | bytes) else stored


def _replayed(mutation_id: uuid.UUID, answer: dict) -> Result:
    """The first answer again, marked as a duplicate (a rejection stays a rejection)."""
    status = Status.rejected if answer.get("status") == Status.rejected else Status.duplicate
    return Result(
        id=str(mutation_id),
        status=status,
        version=answer.get("version"),
        reason=answer.get("reason"),
        errors=answer.get("errors") or {},
        row=answer.get("row"),
    )


async def _apply_one(
    mutation: Mutation, origin: Origin, registry: Registry, describe: Describe
) -> Result:
    applier = registry.appliers.get(mutation.kind)
    if applier is None:
        return Result(
            id=str(mutation.id),
            status=Status.rejected,
            reason=describe(N_("Unknown kind of entry: %(kind)s"), {"kind": mutation.kind}),
        )
    savepoint = await current_transaction().savepoint()
    try:
        result = await applier(mutation, origin)
    except Rejected as refused:
        await savepoint.rollback_to()
        errors = {f: describe(msg, params) for f, (msg, params) in refused.errors.items()}
        return Result(
            id=str(mutation.id),
            status=Status.rejected,
            reason=describe(refused.reason, {}),
            errors=errors,
        )
    except Exception:
        await savepoint.rollback_to()
        log.exception("mutation %s (%s) failed; the device will retry", mutation.id, mutation.kind)
        return Result(id=str(mutation.id), status=Status.retry)
    await savepoint.release()
    return result


async def _apply_bulk(
    mutations: list[Mutation], origin: Origin, bulk: BulkApplier, describe: Describe
) -> list[Result] | None:
    """Answers for a run of new records applied together, or None when the bulk applier
    failed (its savepoint is rolled back and the caller applies them one by one)."""
    savepoint = await current_transaction().savepoint()
    try:
        answers = await bulk(mutations, origin)
    except Exception:
        await savepoint.rollback_to()
        log.exception("bulk %s failed; applying one by one", mutations[0].kind)
        return None
    await savepoint.release()
    return [
        Result(
            id=str(m.id),
            status=Status.rejected,
            reason=describe(a.reason, {}),
            errors={f: describe(msg, params) for f, (msg, params) in a.errors.items()},
        )
        if isinstance(a, Rejected)
        else a
        for m, a in zip(mutations, answers, strict=True)
    ]


LEDGER_COLUMNS = ("id", "device", "kind", "entity_id", "status", "result", "received_at")


def _needs_ledger(result: Result, bulked: bool) -> bool:
    if result.status == Status.retry:
        return False
    return not bulked or result.status == Status.rejected


async def _write_ledger(
    entries: list[tuple[Mutation, Result]], origin: Origin, now: dt.datetime
) -> None:
    await insert_many(
        "sync_applied_mutation",
        LEDGER_COLUMNS,
        [
            (
                m.id,
                origin.device,
                m.kind,
                m.entity_text,
                STATUS_TEXT[r.status],
                r.encoded().decode(),
                now,
            )
            for m, r in entries
        ],
    )


async def ingest(
    batch: list[Mutation | BadMutation],
    ids: list[str | None],
    origin: Origin,
    registry: Registry,
    describe: Describe,
    now: dt.datetime,
) -> list[Result]:
    """Answer every entry of `batch` (parsed mutations, or the BadMutation their raw form
    raised, with `ids` the raw id of each, when it had one), in order.

    New records of kinds with a bulk applier are applied first, together (they depend on
    nothing); the other mutations follow one by one in the order sent."""
    results: list[Result | None] = [None] * len(batch)
    first: dict[uuid.UUID, int] = {}
    async with write_transaction():
        previous = await _previous_answers([m.id for m in batch if isinstance(m, Mutation)])
        for i, (entry, raw_id) in enumerate(zip(batch, ids, strict=True)):
            if isinstance(entry, BadMutation):
                results[i] = Result(
                    id=str(raw_id or ""), status=Status.rejected, reason=describe(str(entry), {})
                )
            elif entry.id in previous:
                results[i] = _replayed(entry.id, previous[entry.id])
            elif entry.id not in first:
                first[entry.id] = i
        todo = sorted(first.values())
        bulked: set[int] = set()
        for kind, bulk in registry.bulk.items():
            run = [i for i in todo if batch[i].kind == kind]
            answers = (
                await _apply_bulk([batch[i] for i in run], origin, bulk, describe) if run else None
            )
            for i, answer in zip(run, answers or [], strict=False):
                results[i] = answer
                bulked.add(i)
        for i in todo:
            if results[i] is None:
                results[i] = await _apply_one(batch[i], origin, registry, describe)
            results[i].clock_flag = clock_flag(batch[i].captured_at, now)
        ledger = [i for i in todo if _needs_ledger(results[i], i in bulked)]
        await _write_ledger([(batch[i], results[i]) for i in ledger], origin, now)
    for i, entry in enumerate(batch):
        if results[i] is None:  # the same mutation again in this batch
            original = results[first[entry.id]]
            results[i] = (
                Result(id=str(entry.id), status=Status.retry)
                if original.status == Status.retry
                else _replayed(entry.id, original.as_json())
            )
    return results
