"""The production password hash: Argon2id at 64 MiB, t=3, p=4, above OWASP's minimum.

The test process hashes with cheap parameters (tests/conftest.py, `cheap_password_hashing`),
so these checks run in a fresh interpreter that imports the app's module as `hallwatch serve`
does, without any test configuration: what they see is what production uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import Type, extract_parameters

from server.accounts import passwords

REPO_ROOT = Path(__file__).resolve().parents[3]
# OWASP Password Storage Cheat Sheet, Argon2id: at least 19 MiB of memory, 2 iterations, 1 lane.
OWASP_MIN_MEMORY_KIB, OWASP_MIN_TIME_COST, OWASP_MIN_PARALLELISM = 19 * 1024, 2, 1

PRODUCTION_PROBE = """
import asyncio, json
from server.accounts import passwords
made = asyncio.run(passwords.hash_password("a-password-to-hash"))
ok = asyncio.run(passwords.verify_password(made, "a-password-to-hash"))
hasher = passwords._hasher
print(json.dumps({
    "hash": made,
    "dummy": passwords.DUMMY_HASH,
    "verified": ok,
    "hasher": [hasher.memory_cost, hasher.time_cost, hasher.parallelism, hasher.type.name],
}))
"""


@pytest.fixture(scope="module")
def production() -> dict:
    """What the app's password module does in a process without the test configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "HALLWATCH_"))}
    done = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_production_hashes_with_argon2id_64_mib_t3_p4(production):
    assert production["hasher"] == [64 * 1024, 3, 4, "ID"]
    for stored in (production["hash"], production["dummy"]):
        # The unknown-username dummy costs the same as a real hash: timing tells nothing.
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored
        params = extract_parameters(stored)
        assert params.type is Type.ID
        assert (params.memory_cost, params.time_cost, params.parallelism) == (65536, 3, 4)
    assert production["verified"] is True


def test_production_parameters_are_above_owasp_minimum(production):
    params = extract_parameters(production["hash"])
    assert params.memory_cost >= OWASP_MIN_MEMORY_KIB
    assert params.time_cost >= OWASP_MIN_TIME_COST
    assert params.parallelism >= OWASP_MIN_PARALLELISM


async def test_a_production_hash_still_verifies_in_the_test_process(production):
    """Hashes carry their own parameters: the cheap test hasher checks the production ones
    (the demo logins of `hallwatch seed-demo`) and the production one checks cheap ones."""
    assert await passwords.verify_password(production["hash"], "a-password-to-hash")
    assert not await passwords.verify_password(production["hash"], "another-password")


async def test_the_test_process_hashes_cheaply():
    """The swap in tests/conftest.py is in effect here (and only here: see above)."""
    made = await passwords.hash_password("a-password-to-hash")
    assert extract_parameters(made).memory_cost < OWASP_MIN_MEMORY_KIB
    assert await passwords.verify_password(made, "a-password-to-hash")
