"""Entry ids made where the entry is made (a phone, or a form the server renders)."""

import uuid

import uuid_utils


def new_entry_id() -> uuid.UUID:
    """A time-ordered UUIDv7: a resubmission carries the same id, so it can never store a
    second copy, and new rows land at the end of the primary-key index."""
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


def parse_entry_id(text: str) -> uuid.UUID | None:
    """The id a client sent, or None when it is not a UUID."""
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None
