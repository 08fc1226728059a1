"""The plan's adjustable rules as one value object, read from settings with defaults."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace

from server.audit import service as audit
from server.audit.service import SYSTEM, Actor
from server.db import write_transaction
from server.policy.tables import Setting


@dataclass(frozen=True)
class Policy:
    """Defaults follow SPEC: abnormal from 37.3 °C, readings valid 34.0–43.0 °C, visitor
    records kept 28 days, the district told within 2 hours."""

    fever_threshold: float = 37.3
    min_valid_temperature: float = 34.0
    max_valid_temperature: float = 43.0
    declaration_deadline: str = "09:00"
    zero_report_deadline: str = "10:00"
    district_report_hours: int = 2
    visitor_retention_days: int = 28

    def as_dict(self) -> dict:
        return asdict(self)


async def load_policy() -> Policy:
    """The policy in force: stored overrides on top of the defaults; unknown keys ignored."""
    known = {f.name for f in fields(Policy)}
    rows = await Setting.select(Setting.key, Setting.value)
    overrides = {r["key"]: json.loads(r["value"]) for r in rows if r["key"] in known}
    return replace(Policy(), **overrides)


async def store_setting(key: str, value, actor: Actor = SYSTEM) -> None:
    """Override one policy value, audited (idempotent: the same value twice changes nothing)."""
    if key not in {f.name for f in fields(Policy)}:
        raise KeyError(key)
    async with write_transaction():
        before = getattr(await load_policy(), key)
        if before == value:
            return
        await Setting.insert(Setting(key=key, value=json.dumps(value))).on_conflict(
            target=Setting.key, action="DO UPDATE", values=[Setting.value]
        )
        await audit.record(actor, "update", "setting", key, {key: before}, {key: value})
