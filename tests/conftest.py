"""Test configuration. The environment is set before anything imports the app, because
Piccolo binds its engine from HALLWATCH_DB at import.

The suite runs on a fresh SQLite file by default; with HALLWATCH_DB set (CI's second run,
postgresql://postgres@127.0.0.1:5432/test) it runs on that database instead, wiping it."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# The SQLite file lives in memory-backed /dev/shm where there is one: the tests commit tens of
# thousands of times and would otherwise wait for the disk on each (~15 % of the SQLite run).
# SQLite's behaviour (WAL, locks, busy waits) is the same there; only durability across a
# power cut differs, which no test covers. Removed when the run ends.
_shm = Path("/dev/shm")
_tmp = Path(
    tempfile.mkdtemp(
        prefix="hallwatch-tests-",
        dir=_shm if _shm.is_dir() and os.access(_shm, os.W_OK) else None,
    )
)
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
os.environ.setdefault("HALLWATCH_DB", f"sqlite:///{_tmp / 'test.db'}")
os.environ.setdefault("HALLWATCH_SECRET", "test-secret-not-for-production")
os.environ.setdefault("HALLWATCH_TZ", "Asia/Shanghai")

import pytest  # noqa: E402

from tests.support import DEMO_PASSWORD, SeededOnce, reset_database  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Argon2id at its lowest cost (8 KiB, t=1, p=1) for the hashes this process makes.
    Production's 64 MiB, t=3, p=4 takes ~0.2 s a hash or login here, and the HTTP tests log
    in about a thousand times. A hash carries its parameters, so either hasher verifies the
    other's hashes. Only this process: `hallwatch serve` and `seed-demo`, started as
    subprocesses by the browser and system tests, hash as in production, which
    tests/unit/accounts/test_password_hashing.py holds."""
    from argon2 import PasswordHasher, Type

    from server.accounts import passwords, service

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
    dummy = cheap.hash("not-a-real-password")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", cheap)
        patch.setattr(passwords, "DUMMY_HASH", dummy)
        patch.setattr(service, "DUMMY_HASH", dummy)
        yield


@pytest.fixture(scope="session", autouse=True)
async def database_connections():
    """On PostgreSQL, a connection pool for this process's queries, as `hallwatch serve` has
    (server.db.start): without one Piccolo opens a new connection for every query. On SQLite
    nothing changes."""
    from server import db

    engine = db.engine()
    await db.start(engine)
    yield
    await db.stop(engine)


@pytest.fixture(scope="session")
def db_url() -> str:
    return os.environ["HALLWATCH_DB"]


@pytest.fixture(scope="session")
def tmp_root() -> Path:
    return _tmp


@pytest.fixture(scope="session")
async def organisation_and_logins(tmp_path_factory):
    """The plan's organisation and one login per role (server.demo), seeded once per run:
    `await organisation_and_logins.restore()` empties the database down to exactly that
    state and returns the departments' ids by name."""
    from server import demo

    async def seed() -> dict[str, int]:
        departments = await demo.seed_organisation(lambda _: None)
        await demo.seed_users(DEMO_PASSWORD, departments)
        return departments

    seeded = SeededOnce("organisation", tmp_path_factory.mktemp("organisation"), seed)
    yield seeded
    await seeded.drop()


@pytest.fixture(scope="module")
async def fresh_db():
    """An empty, migrated database for one test module."""
    await reset_database()
