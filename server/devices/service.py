"""Enrolling, recognising and revoking desk phones."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from server import clock
from server.audit import service as audit
from server.audit.service import Actor
from server.db import write_transaction
from server.devices.tables import Device

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed
CODE_LENGTH = 8
CODE_LIFETIME = dt.timedelta(hours=24)


def _digest(secret: str) -> str:
    """Tokens and codes are random, so a plain SHA-256 is enough to keep them unusable if
    the table leaks."""
    return hashlib.sha256(secret.encode()).hexdigest()


def note_phone(connection, token_hash: str) -> None:
    """A login session used on an enrolled phone ends when the phone is revoked (see
    accounts.service.session_user): the session learns its phone when the phone enrols with
    it, or from the phone's sync (a login opened on the phone after enrolment)."""
    session = connection.scope.get("session")
    if isinstance(session, dict) and "user_id" in session and session.get("device") != token_hash:
        session["device"] = token_hash


def token_hash(token: str) -> str:
    return _digest(token)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class Enrollment:
    device_id: str
    code: str
    expires_at: dt.datetime


async def create_device(name: str, actor: Actor) -> Enrollment:
    """A new device and its one-time enrollment code (shown once, valid for a day)."""
    device_id = f"dev-{uuid.uuid4().hex[:12]}"
    code = _new_code()
    expires = clock.now() + CODE_LIFETIME
    async with write_transaction():
        await Device.insert(
            Device(
                id=device_id,
                name=name.strip()[:60],
                code_hash=_digest(code),
                code_expires_at=expires,
                created_by=actor.username,
            )
        )
        await audit.record(actor, "create", "device", device_id, None, {"name": name})
    return Enrollment(device_id, code, expires)


async def new_code(device_id: str, actor: Actor) -> Enrollment:
    """A fresh enrollment code for a device (re-enrolling a reset phone); the old token stops
    working once the phone enrolls with it, or at once if the device was revoked (clearing
    the revocation must not bring back the token it was revoked with)."""
    code = _new_code()
    expires = clock.now() + CODE_LIFETIME
    async with write_transaction():
        row = await Device.select(Device.revoked_at).where(Device.id == device_id).first()
        if row is None:
            raise LookupError(device_id)
        fields = {Device.code_hash: _digest(code), Device.code_expires_at: expires}
        if row["revoked_at"] is not None:
            fields |= {Device.revoked_at: None, Device.token_hash: ""}
        await Device.update(fields).where(Device.id == device_id)
        await audit.record(actor, "new_code", "device", device_id)
    return Enrollment(device_id, code, expires)


async def enroll(code: str) -> tuple[str, str] | None:
    """Trade a valid code for (device id, token). The code works once."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    async with write_transaction():
        row = (
            await Device.select(Device.id)
            .where(
                (Device.code_hash == _digest(normalise_code(code)))
                & (Device.code_expires_at > now)
                & Device.revoked_at.is_null()
            )
            .first()
        )
        if row is None:
            return None
        await Device.update(
            {
                Device.token_hash: _digest(token),
                Device.code_hash: "",
                Device.code_expires_at: None,
                Device.enrolled_at: now,
            }
        ).where(Device.id == row["id"])
        await audit.record(
            Actor(username="device", device=row["id"]), "enroll", "device", row["id"]
        )
    return row["id"], token


async def device_for_token(token: str) -> dict | None:
    """The device this token was given to, revoked or not (a revoked phone is told so,
    rather than to log in); the last sighting of an unrevoked one is noted. Its `token_hash`
    is what a login session used on it keeps (see still_enrolled)."""
    if not token:
        return None
    row = (
        await Device.select(Device.id, Device.name, Device.revoked_at, Device.token_hash)
        .where(Device.token_hash == _digest(token))
        .first()
    )
    if row is not None and row["revoked_at"] is None:
        await Device.update({Device.last_seen_at: clock.now()}).where(Device.id == row["id"])
    return row


async def still_enrolled(token_hash: str) -> bool:
    """Whether the phone holding this token may still use it: neither revoked nor enrolled
    again with another token since."""
    return await Device.exists().where(
        (Device.token_hash == token_hash) & Device.revoked_at.is_null()
    )


async def revoke(device_id: str, actor: Actor) -> None:
    """Its token stops working, and so does every login session used on the phone. The
    token's hash stays, so that the phone is told it was revoked."""
    async with write_transaction():
        revoked = (
            await Device.update({Device.revoked_at: clock.now(), Device.code_hash: ""})
            .where((Device.id == device_id) & Device.revoked_at.is_null())
            .returning(Device.id)
        )
        if revoked:
            await audit.record(actor, "revoke", "device", device_id)


async def devices() -> list[dict]:
    return await Device.select().order_by(Device.created_at, ascending=False)
