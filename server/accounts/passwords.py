"""Argon2id password hashes, computed off the event loop so a login never stalls other requests."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults (RFC 9106 low-memory: t=3, 64 MiB, p=4) exceed OWASP's minimum.
_hasher = PasswordHasher()
MIN_LENGTH = 8


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
