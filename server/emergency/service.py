"""The emergency-response state and its switch (plan 三(二)1: 启动应急响应机制)."""

from __future__ import annotations

from server.audit import service as audit
from server.audit.service import Actor
from server.db import write_transaction
from server.emergency.tables import EmergencySwitch


async def current() -> dict | None:
    """The switch in force when emergency response is on, else None."""
    latest = await EmergencySwitch.select().order_by(EmergencySwitch.id, ascending=False).first()
    return latest if latest and latest["active"] else None


async def switch(active: bool, reason: str, actor: Actor) -> bool:
    """Turn emergency response on (a reason is required) or off; False when it already was."""
    async with write_transaction():
        if bool(await current()) == active:
            return False
        await EmergencySwitch.insert(
            EmergencySwitch(active=active, reason=reason.strip()[:200], by=actor.username)
        )
        await audit.record(
            actor, "on" if active else "off", "emergency", "response", None, {"reason": reason}
        )
    return True


async def history(limit: int = 20) -> list[dict]:
    return await EmergencySwitch.select().order_by(EmergencySwitch.id, ascending=False).limit(limit)
