"""The shapes that cross the wire between a phone's outbox and the server.

Push (`POST /sync/push`, JSON, header `Authorization: Device <token>` or a login session plus
`X-Hallwatch-Sync: 1`)::

    {"mutations": [
        {"id": "<UUIDv7 of this mutation>",
         "kind": "visitor_check.create",          # <entity>.<action>
         "schema": 1,                              # the kind's field layout version
         "seq": 42,                                # the device's own counter, for ordering
         "captured_at": "2026-11-29T08:30:00.123Z",# the phone's clock: data, not ordering
         "stamp": "0001764405000123-0000-<device>",# hybrid logical clock
         "entity_id": "<UUID of the record>",      # made on the phone for new records
         "base_version": null,                     # the record version an edit was based on
         "by": 7,                                  # the account that entered it on the phone
         "fields": {...}}                          # only the fields it sets or changes
    ]}

Answer: ``{"server_time": "...", "results": [{"id", "status", ...}]}``, one result per
mutation in the order sent, each with a `status`:

- ``applied``: stored now; `version` is the record's new version.
- ``duplicate``: this mutation id was applied before; its first answer is repeated.
- ``conflict``: stored, but a field lost to a newer or higher-ranked change, or an unsafe
  change went to the office's conflict queue; `row` is the server's record.
- ``rejected``: permanently refused with a `reason` (and per-field `errors`); the phone
  stops resending it and shows the reason for correction.
- ``retry``: a transient failure; send it again later.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from sync.hlc import Stamp

MAX_MUTATIONS = 1000
MAX_BODY_BYTES = 4 * 1024 * 1024
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
PAST_TOLERANCE = dt.timedelta(days=30)


def N_(message: str) -> str:
    """Marks a msgid for extraction; the server translates it when it answers."""
    return message


class Status(StrEnum):
    applied = "applied"
    duplicate = "duplicate"
    conflict = "conflict"
    rejected = "rejected"
    retry = "retry"


@dataclass(frozen=True)
class Mutation:
    id: uuid.UUID
    kind: str
    schema: int
    seq: int
    captured_at: dt.datetime
    stamp: str
    entity_id: uuid.UUID
    base_version: int | None
    by: int | None
    fields: dict


@dataclass
class Result:
    id: str
    status: Status
    version: int | None = None
    reason: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    row: dict | None = None
    clock_flag: str | None = None

    def as_json(self) -> dict:
        """The answer as sent: empty parts left out. Shallow on purpose: `row` is already
        JSON-ready, and copying it deeply (dataclasses.asdict) cost more than the insert."""
        answer = {"id": self.id, "status": self.status.value}
        for key in ("version", "reason", "errors", "row", "clock_flag"):
            value = getattr(self, key)
            if value not in (None, {}, []):
                answer[key] = value
        return answer


def jsonable(value):
    """`value` with times, dates and UUIDs as strings, ready for JSON."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


class BadMutation(ValueError):
    """A mutation whose shape is wrong: rejected alone, the rest of the batch goes on."""


def _uuid(value, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadMutation(f"{name} is not a UUID") from None


def parse_mutation(raw: object) -> Mutation:
    """A Mutation from one decoded JSON object; BadMutation names the first thing wrong."""
    if not isinstance(raw, dict):
        raise BadMutation("a mutation must be an object")
    missing = [k for k in ("id", "kind", "entity_id", "captured_at", "fields") if k not in raw]
    if missing:
        raise BadMutation(f"missing {', '.join(missing)}")
    if not isinstance(raw["fields"], dict):
        raise BadMutation("fields must be an object")
    try:
        captured_at = dt.datetime.fromisoformat(str(raw["captured_at"]).replace("Z", "+00:00"))
    except ValueError:
        raise BadMutation("captured_at is not an ISO 8601 time") from None
    if captured_at.tzinfo is None:
        raise BadMutation("captured_at needs a time zone")
    stamp = str(raw.get("stamp") or "")
    if stamp:
        try:
            Stamp.decode(stamp)
        except ValueError as bad:
            raise BadMutation(str(bad)) from None
    base_version, by = raw.get("base_version"), raw.get("by")
    if base_version is not None and not isinstance(base_version, int):
        raise BadMutation("base_version must be an integer")
    if by is not None and not isinstance(by, int):
        raise BadMutation("by must be an account id")
    return Mutation(
        id=_uuid(raw["id"], "id"),
        kind=str(raw["kind"]),
        schema=int(raw.get("schema") or 1),
        seq=int(raw.get("seq") or 0),
        captured_at=captured_at.astimezone(dt.UTC),
        stamp=stamp,
        entity_id=_uuid(raw["entity_id"], "entity_id"),
        base_version=base_version,
        by=by,
        fields=raw["fields"],
    )


def clock_flag(captured_at: dt.datetime, server_now: dt.datetime) -> str | None:
    """'future' or 'past' when the phone's capture time cannot be right; None otherwise."""
    if captured_at > server_now + FUTURE_TOLERANCE:
        return "future"
    if captured_at < server_now - PAST_TOLERANCE:
        return "past"
    return None
