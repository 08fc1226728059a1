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
from functools import cached_property

import msgspec

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


# Enum `.value` is a slow property on Python 3.11; a batch reads it thousands of times.
STATUS_TEXT = {status: status.value for status in Status}


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

    @cached_property
    def entity_text(self) -> str:
        """`entity_id` as text, made once (uuid's __str__ is Python code, and a batch needs
        it for the row, its audit, its feed note and its ledger entry)."""
        return str(self.entity_id)


@dataclass
class Result:
    id: str
    status: Status
    version: int | None = None
    reason: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    row: dict | None = None
    clock_flag: str | None = None
    _encoded: bytes | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict:
        """The answer as sent: empty parts left out. Shallow on purpose: `row` is already
        JSON-ready, and copying it deeply (dataclasses.asdict) cost more than the insert."""
        answer = {"id": self.id, "status": STATUS_TEXT[self.status]}
        for key in ("version", "reason", "errors", "row", "clock_flag"):
            value = getattr(self, key)
            if value not in (None, {}, []):
                answer[key] = value
        return answer

    def encoded(self) -> bytes:
        """The answer as JSON bytes, encoded once: the ledger stores them and the push
        answer sends them. Call it when the result is final."""
        if self._encoded is None:
            self._encoded = encode_json(self.as_json())
        return self._encoded


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


encode_json = msgspec.json.Encoder().encode


class BadMutation(ValueError):
    """A mutation whose shape is wrong: rejected alone, the rest of the batch goes on."""


def _uuid(value, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadMutation(f"{name} is not a UUID") from None


class _Wire(msgspec.Struct):
    """A well-formed mutation as phones send it, checked and converted in C (msgspec):
    about 1 µs an entry instead of 16 µs in Python. Anything it does not accept goes
    through the checks below, which accept the same and name what is wrong."""

    id: uuid.UUID
    kind: str
    entity_id: uuid.UUID
    captured_at: dt.datetime
    fields: dict
    schema: int = 1
    seq: int = 0
    stamp: str = ""
    base_version: int | None = None
    by: int | None = None


def parse_mutation(raw: object) -> Mutation:
    """A Mutation from one decoded JSON object; BadMutation names the first thing wrong."""
    try:
        wire = msgspec.convert(raw, _Wire)
    except msgspec.ValidationError:
        return _parse_checking(raw)
    if (
        wire.captured_at.tzinfo is None
        or not wire.schema
        or not _valid_stamp(wire.stamp)
        or not _valid_kind(wire.kind)
    ):
        return _parse_checking(raw)  # they answer these (or accept the looser forms)
    return Mutation(
        id=wire.id,
        kind=wire.kind,
        schema=wire.schema,
        seq=wire.seq,
        captured_at=wire.captured_at.astimezone(dt.UTC),
        stamp=wire.stamp,
        entity_id=wire.entity_id,
        base_version=wire.base_version,
        by=wire.by,
        fields=wire.fields,
    )


# The ledger keeps the kind in a 50-character column, and PostgreSQL's text holds no NUL: a
# kind outside that would fail the whole batch's transaction, not just its own entry.
MAX_KIND_LENGTH = 50


def _valid_kind(kind: object) -> bool:
    return isinstance(kind, str) and 0 < len(kind) <= MAX_KIND_LENGTH and "\x00" not in kind


def _valid_stamp(stamp: str) -> bool:
    if not stamp:
        return True
    try:
        Stamp.decode(stamp)
    except ValueError:
        return False
    return True


def _parse_checking(raw: object) -> Mutation:
    if not isinstance(raw, dict):
        raise BadMutation("a mutation must be an object")
    missing = [k for k in ("id", "kind", "entity_id", "captured_at", "fields") if k not in raw]
    if missing:
        raise BadMutation(f"missing {', '.join(missing)}")
    if not isinstance(raw["fields"], dict):
        raise BadMutation("fields must be an object")
    if not _valid_kind(raw["kind"]):
        raise BadMutation(f"kind must be text of at most {MAX_KIND_LENGTH} characters")
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
        kind=raw["kind"],
        schema=_integer(raw, "schema", 1),
        seq=_integer(raw, "seq", 0),
        captured_at=captured_at.astimezone(dt.UTC),
        stamp=stamp,
        entity_id=_uuid(raw["entity_id"], "entity_id"),
        base_version=base_version,
        by=by,
        fields=raw["fields"],
    )


def _integer(raw: dict, key: str, default: int) -> int:
    """An optional whole-number field; a string or an object there names the field instead
    of failing the whole batch (found by the sync fuzz tests)."""
    value = raw.get(key) or default
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)  # the looser form "1" stays accepted
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadMutation(f"{key} must be an integer")
    return value


def clock_flag(captured_at: dt.datetime, server_now: dt.datetime) -> str | None:
    """'future' or 'past' when the phone's capture time cannot be right; None otherwise."""
    if captured_at > server_now + FUTURE_TOLERANCE:
        return "future"
    if captured_at < server_now - PAST_TOLERANCE:
        return "past"
    return None
