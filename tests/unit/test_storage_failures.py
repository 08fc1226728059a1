"""Which errors mean "the database cannot store anything now" (503, the phone retries) and
which are bugs (500): a 500 would make a phone drop nothing but show a failure it cannot fix."""

import asyncpg
import pytest

from server.errors import is_storage_failure

FAILURES = [
    OSError(28, "No space left on device"),
    Exception("database or disk is full"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
    # What asyncpg raises when the next query meets the FATAL of a terminated backend.
    asyncpg.InternalClientError("cannot switch to state 11; another operation (2) is in progress"),
]
BUGS = [
    ValueError("bad value"),
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.InternalClientError("got result for unknown protocol state 0"),
    asyncpg.exceptions.UndefinedColumnError('column "x" does not exist'),
]


@pytest.mark.parametrize("error", FAILURES, ids=repr)
def test_the_database_being_unable_to_store_is_a_storage_failure(error):
    assert is_storage_failure(error)


@pytest.mark.parametrize("error", BUGS, ids=repr)
def test_a_bug_is_not_a_storage_failure(error):
    assert not is_storage_failure(error)
