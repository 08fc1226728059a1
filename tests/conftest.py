"""Test configuration. The environment is set before anything imports the app, because
Piccolo binds its engine from HALLWATCH_DB at import.

The suite runs on a fresh SQLite file by default; with HALLWATCH_DB set (CI's second run,
postgresql://postgres@127.0.0.1:5432/test) it runs on that database instead, wiping it."""

import os
import tempfile
from pathlib import Path

_tmp = Path(tempfile.mkdtemp(prefix="hallwatch-tests-"))
os.environ.setdefault("HALLWATCH_DB", f"sqlite:///{_tmp / 'test.db'}")
os.environ.setdefault("HALLWATCH_SECRET", "test-secret-not-for-production")
os.environ.setdefault("HALLWATCH_TZ", "Asia/Shanghai")

import pytest  # noqa: E402

from tests.support import reset_database  # noqa: E402


@pytest.fixture(scope="session")
def db_url() -> str:
    return os.environ["HALLWATCH_DB"]


@pytest.fixture(scope="session")
def tmp_root() -> Path:
    return _tmp


@pytest.fixture(scope="module")
async def fresh_db():
    """An empty, migrated database for one test module."""
    await reset_database()
