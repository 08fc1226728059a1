"""Argon2id password hashes, computed off the event loop so a login never stalls other requests."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from server.i18n import N_

# Argon2id with RFC 9106's low-memory profile (t=3, 64 MiB, p=4; argon2-cffi's defaults today),
# spelled out so that a change of the library's defaults cannot lower them. OWASP's minimum is
# 19 MiB, t=2, p=1. tests/unit/accounts/test_password_hashing.py holds these values.
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, type=Type.ID)
MIN_LENGTH = 8
# Refused whatever their length: the passwords guessed first (leaked-password lists, and the
# keyboard and lucky-number patterns common in Chinese offices).
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "87654321",
        "11111111",
        "00000000",
        "88888888",
        "66666666",
        "12341234",
        "11223344",
        "password",
        "password1",
        "passw0rd",
        "qwertyui",
        "qwerty123",
        "qwertyuiop",
        "1qaz2wsx",
        "1q2w3e4r",
        "zaq12wsx",
        "abc12345",
        "abcd1234",
        "a1234567",
        "a12345678",
        "iloveyou",
        "5201314520",
        "woaini1314",
        "admin123",
        "admin1234",
        "administrator",
        "changeme",
        "welcome1",
        "hallwatch",
    ]
)


def password_problem(password: str, username: str) -> tuple[str, dict] | None:
    """Why this password may not be used (a msgid and its values), or None."""
    if len(password) < MIN_LENGTH:
        return N_("The password needs at least %(length)s characters"), {"length": MIN_LENGTH}
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 3:
        return N_("This password is among the first ones guessed; choose another"), {}
    if username and username.lower() in lowered:
        return N_("The password must not contain the username"), {}
    return None


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(stored_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


# Verified against when the username is unknown, so that timing does not reveal which exist.
DUMMY_HASH = _hasher.hash("not-a-real-password")
