"""Applying a pushed batch: each mutation answered on its own, none applied twice.

Domains register an applier per mutation kind. The batch runs in one write transaction with
a savepoint per mutation: a mutation that fails is rolled back alone and answered `rejected`
(or `retry`), the rest are stored. Each applied mutation's ledger row commits with its
effect, so a replay of any part of the batch returns the stored answer."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sync.db import current_transaction, write_transaction
from sync.protocol import N_, BadMutation, Mutation, Result, Status, clock_flag
from sync.tables import AppliedMutation

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
Describe = Callable[[str, dict], str]


@dataclass
class Registry:
    """The mutation kinds the server accepts, each with its applier."""

    appliers: dict[str, Applier] = field(default_factory=dict)

    def register(self, kind: str, applier: Applier) -> None:
        if kind in self.appliers:
            raise ValueError(f"{kind} is registered twice")
        self.appliers[kind] = applier


async def _previous_answers(ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    if not ids:
        return {}
    rows = (
        await AppliedMutation.select(AppliedMutation.id, AppliedMutation.result)
        .where(AppliedMutation.id.is_in(ids))
        .output(load_json=True)
    )
    return {row["id"]: row["result"] for row in rows}


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


async def ingest(
    batch: list[Mutation | BadMutation],
    ids: list[str | None],
    origin: Origin,
    registry: Registry,
    describe: Describe,
    now: dt.datetime,
) -> list[Result]:
    """Answer every entry of `batch` (parsed mutations, or the BadMutation their raw form
    raised, with `ids` the raw id of each, when it had one), in order."""
    parsed = [m for m in batch if isinstance(m, Mutation)]
    previous = await _previous_answers([m.id for m in parsed])
    answered: dict[uuid.UUID, Result] = {}
    results: list[Result] = []
    async with write_transaction():
        for entry, raw_id in zip(batch, ids, strict=True):
            if isinstance(entry, BadMutation):
                results.append(
                    Result(
                        id=str(raw_id or ""),
                        status=Status.rejected,
                        reason=describe(str(entry), {}),
                    )
                )
                continue
            if entry.id in previous:
                results.append(_replayed(entry.id, previous[entry.id]))
                continue
            if entry.id in answered:
                results.append(_replayed(entry.id, answered[entry.id].as_json()))
                continue
            result = await _apply_one(entry, origin, registry, describe)
            result.clock_flag = clock_flag(entry.captured_at, now)
            if result.status != Status.retry:
                await AppliedMutation.insert(
                    AppliedMutation(
                        id=entry.id,
                        device=origin.device,
                        kind=entry.kind,
                        entity_id=str(entry.entity_id),
                        status=result.status,
                        result=result.as_json(),
                    )
                )
                answered[entry.id] = result
            results.append(result)
    return results
