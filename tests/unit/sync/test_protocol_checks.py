"""Parsing one mutation: a value the server cannot hold is named, for that entry alone."""

import pytest

from sync.protocol import BadMutation, parse_mutation
from tests.http.test_sync import visitor_create


@pytest.mark.parametrize("key", ["schema", "seq"])
@pytest.mark.parametrize("value", ["x", "\x00\ud7ff", {"a": 1}, [1], 1.5, True])
def test_a_non_integer_schema_or_seq_is_a_bad_mutation(key, value):
    # Found by the sync fuzz tests: int() raised ValueError/TypeError, a 500 for the batch.
    with pytest.raises(BadMutation, match=f"{key} must be an integer"):
        parse_mutation({**visitor_create(), key: value})


def test_a_number_in_a_string_is_still_accepted():
    assert parse_mutation({**visitor_create(), "schema": "2", "seq": "7"}).seq == 7


@pytest.mark.parametrize("kind", [["visitor_check.create"], "", "a\x00b", "k" * 51, 7])
def test_a_kind_the_ledger_cannot_hold_is_a_bad_mutation(kind):
    # Found by the sync fuzz tests on PostgreSQL: a NUL or an over-long kind failed the
    # ledger write, and with it the whole batch.
    with pytest.raises(BadMutation, match="kind must be text"):
        parse_mutation({**visitor_create(), "kind": kind})
