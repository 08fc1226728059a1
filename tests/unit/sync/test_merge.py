"""The field merge policy as a table."""

import pytest

from sync.merge import Side, merge

DESK_EARLY, DESK_LATE = (
    Side("desk", "0000000000000100-0000-d1"),
    Side("desk", "0000000000000200-0000-d2"),
)
OFFICE = Side("office", "0000000000000050-0000-o")

STORED = {"name": "张三", "purpose": "A01", "temperature": 38.2, "status": "held"}


def test_fields_nobody_else_changed_merge():
    result = merge(STORED, {"name": 1, "purpose": 1}, {}, 1, {"purpose": "B01"}, DESK_EARLY)
    assert result.apply == {"purpose": "B01"} and not result.conflicted


def test_one_side_each_on_different_fields_both_stand():
    # The office changed name at version 2; a desk edit based on version 1 changes purpose.
    result = merge(
        STORED, {"name": 2, "purpose": 1}, {"name": OFFICE}, 1, {"purpose": "B01"}, DESK_LATE
    )
    assert result.apply == {"purpose": "B01"} and not result.lost


@pytest.mark.parametrize(
    "holder, incoming, incoming_wins",
    [
        (OFFICE, DESK_LATE, False),  # office wins over a desk, even an earlier office stamp
        (DESK_LATE, OFFICE, True),
        (DESK_EARLY, DESK_LATE, True),  # equals: the later stamp wins
        (DESK_LATE, DESK_EARLY, False),
    ],
)
def test_same_field_on_both_sides(holder, incoming, incoming_wins):
    result = merge(STORED, {"name": 2}, {"name": holder}, 1, {"name": "张叁"}, incoming)
    if incoming_wins:
        assert result.apply == {"name": "张叁"} and result.lost == {"name": "张三"}
    else:
        assert result.apply == {} and result.lost == {"name": "张叁"}


def test_unsafe_change_is_held_for_the_office_even_without_a_conflict():
    def unsafe(field, old, new):
        return field == "status" and old == "held" and new != "held"

    result = merge(STORED, {}, {}, 1, {"status": "normal", "purpose": "B01"}, OFFICE, unsafe)
    assert result.held == {"status": "normal"}
    assert result.apply == {"purpose": "B01"}


def test_unchanged_values_are_no_change():
    result = merge(STORED, {"name": 5}, {"name": OFFICE}, 1, {"name": "张三"}, DESK_EARLY)
    assert result.apply == {} and not result.conflicted
