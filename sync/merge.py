"""Three-way, field-by-field merge of an edit into a stored record.

The server keeps, per record, a version and the version at which each field last changed.
An edit names the version it was based on and only the fields it changes. A field nobody else
changed since that version takes the edit's value. A field changed on both sides follows a
fixed policy: the office wins over a desk; between equals the later clock stamp wins. The
losing value is returned so the caller can keep it in the record's history. A change that a
domain marks unsafe (e.g. an abnormal temperature turned normal) is never applied here: it is
returned for the office's conflict queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Higher ranks win a same-field conflict.
SOURCE_RANK = {"desk": 1, "staff": 1, "head": 2, "office": 3, "leader": 3, "admin": 3}


@dataclass(frozen=True)
class Side:
    """Who made a change: their role's rank and their clock stamp (encoded HLC)."""

    source: str
    stamp: str

    def beats(self, other: Side) -> bool:
        mine, theirs = SOURCE_RANK.get(self.source, 0), SOURCE_RANK.get(other.source, 0)
        if mine != theirs:
            return mine > theirs
        return self.stamp > other.stamp


@dataclass
class MergeResult:
    """What to write (`apply`), what lost (`lost`: field → losing value), and what must wait
    for the office (`held`: field → proposed value)."""

    apply: dict = field(default_factory=dict)
    lost: dict = field(default_factory=dict)
    held: dict = field(default_factory=dict)

    @property
    def conflicted(self) -> bool:
        return bool(self.lost or self.held)


def merge(
    stored: dict,
    field_versions: dict[str, int],
    field_sides: dict[str, Side],
    base_version: int,
    changes: dict,
    incoming: Side,
    is_unsafe: Callable[[str, object, object], bool] = lambda f, old, new: False,
) -> MergeResult:
    """Merge `changes` (based on `base_version`) into `stored`.

    `field_versions[f]` is the record version at which f last changed and `field_sides[f]`
    who changed it then; `is_unsafe(f, stored_value, new_value)` marks changes that must not be
    applied automatically."""
    result = MergeResult()
    for name, new in changes.items():
        old = stored.get(name)
        if new == old:
            continue
        if is_unsafe(name, old, new):
            result.held[name] = new
            continue
        changed_since = field_versions.get(name, 0) > base_version
        if not changed_since:
            result.apply[name] = new
            continue
        holder = field_sides.get(name)
        if holder is None or incoming.beats(holder):
            result.apply[name] = new
            result.lost[name] = old
        else:
            result.lost[name] = new
    return result
