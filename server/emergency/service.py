"""The emergency-response state and its switch (plan 三(二)1: 启动应急响应机制)."""

from __future__ import annotations

from server import cache, clock
from server.audit import service as audit
from server.audit.service import Actor
from server.db import write_transaction
from server.emergency.tables import EmergencySwitch
from sync.db import is_sqlite


@cache.kept("emergency_switch")
async def current() -> dict | None:
    """The switch in force when emergency response is on, else None."""
    latest = await EmergencySwitch.select().order_by(EmergencySwitch.id, ascending=False).first()
    return latest if latest and latest["active"] else None


# Any constant, the same in every app process: PostgreSQL's advisory lock of the switch.
SWITCH_LOCK = 0x686A_656D  # "hjem"


class AlreadySwitched(Exception):
    """It already was on (or off): `latest`, the switch that made it so (by, at), is what a
    leader submitting from a page older than it needs to hear; None when it was never on."""

    def __init__(self, latest: dict | None) -> None:
        super().__init__(latest)
        self.latest = latest


async def switch(active: bool, reason: str, actor: Actor) -> None:
    """Turn emergency response on or off, with the reason why; AlreadySwitched when it
    already was, and nothing is logged."""
    async with write_transaction():
        if not is_sqlite():
            # A double tap sends two requests at once: both must not find the state unchanged
            # and log it twice. SQLite's write transaction already lets one writer in at a time.
            await EmergencySwitch.raw("SELECT pg_advisory_xact_lock({})", SWITCH_LOCK)
        if bool(await current()) == active:
            raise AlreadySwitched(
                await EmergencySwitch.select().order_by(EmergencySwitch.id, ascending=False).first()
            )
        await EmergencySwitch.insert(
            EmergencySwitch(
                active=active, reason=reason.strip()[:200], by=actor.username, at=clock.now()
            )
        )
        await audit.record(
            actor, "on" if active else "off", "emergency", "response", None, {"reason": reason}
        )


async def active_during(start, end) -> bool:
    """Whether emergency response was on at any moment between two instants: on at `start`,
    or switched on before `end`. The zero report is due twice on such a day."""
    before = (
        await EmergencySwitch.select(EmergencySwitch.active)
        .where(EmergencySwitch.at <= start)
        .order_by(EmergencySwitch.id, ascending=False)
        .first()
    )
    if before and before["active"]:
        return True
    switched_on = (
        (EmergencySwitch.at > start) & (EmergencySwitch.at < end) & (EmergencySwitch.active == True)  # noqa: E712
    )
    return await EmergencySwitch.exists().where(switched_on)


async def history(limit: int = 20) -> list[dict]:
    return await EmergencySwitch.select().order_by(EmergencySwitch.id, ascending=False).limit(limit)
