"""Litestar's Store on a database table: sessions and counters survive restarts and are shared
by every app process."""

from __future__ import annotations

import datetime as dt

from litestar.stores.base import Store

from server import clock
from server.accounts.tables import SessionEntry


def _expiry(expires_in: int | dt.timedelta | None) -> dt.datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, dt.timedelta) else expires_in
    return clock.now() + dt.timedelta(seconds=seconds)


def _live():
    return (SessionEntry.expires_at.is_null()) | (SessionEntry.expires_at > clock.now())


class DatabaseStore(Store):
    async def set(self, key: str, value: str | bytes, expires_in=None) -> None:
        data = value.encode() if isinstance(value, str) else value
        await SessionEntry.insert(
            SessionEntry(key=key, value=data, expires_at=_expiry(expires_in))
        ).on_conflict(
            target=SessionEntry.key,
            action="DO UPDATE",
            values=[SessionEntry.value, SessionEntry.expires_at],
        )

    async def get(self, key: str, renew_for=None) -> bytes | None:
        row = (
            await SessionEntry.select(SessionEntry.value)
            .where((SessionEntry.key == key) & _live())
            .first()
        )
        if row is None:
            return None
        if renew_for is not None:
            await SessionEntry.update({SessionEntry.expires_at: _expiry(renew_for)}).where(
                SessionEntry.key == key
            )
        return bytes(row["value"])

    async def get_with_expiry(self, key: str) -> tuple[bytes, dt.datetime | None] | None:
        """The value and its expiry in one query (the session backend writes an unchanged
        session back only when its expiry is due to move on)."""
        row = (
            await SessionEntry.select(SessionEntry.value, SessionEntry.expires_at)
            .where((SessionEntry.key == key) & _live())
            .first()
        )
        return None if row is None else (bytes(row["value"]), row["expires_at"])

    async def delete(self, key: str) -> None:
        await SessionEntry.delete().where(SessionEntry.key == key)

    async def delete_all(self) -> None:
        await SessionEntry.delete(force=True)

    async def delete_expired(self) -> None:
        await SessionEntry.delete().where(SessionEntry.expires_at < clock.now())

    async def exists(self, key: str) -> bool:
        return await SessionEntry.exists().where((SessionEntry.key == key) & _live())

    async def expires_in(self, key: str) -> int | None:
        row = (
            await SessionEntry.select(SessionEntry.expires_at)
            .where((SessionEntry.key == key) & _live())
            .first()
        )
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - clock.now()).total_seconds())
