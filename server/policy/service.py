"""The plan's adjustable rules as one value object, read from settings with defaults."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace

from server import cache, clock
from server.audit import service as audit
from server.audit.service import SYSTEM, Actor
from server.db import write_transaction
from server.policy.tables import Setting


@dataclass(frozen=True)
class Policy:
    """Defaults follow SPEC: abnormal from 37.3 °C, readings valid 34.0–43.0 °C, visitor
    records kept 28 days, the district told within 2 hours, declarations due by 09:00 and
    every risk answer keeping the person at home."""

    fever_threshold: float = 37.3
    min_valid_temperature: float = 34.0
    max_valid_temperature: float = 43.0
    declaration_deadline: str = "09:00"
    # The declaration answers that keep a person at home (SPEC rule 4); a district may
    # drop one, e.g. "left_city" once travel inside the province is allowed again.
    declaration_risk_answers: tuple[str, ...] = (
        "fever",
        "symptoms",
        "left_city",
        "outbreak_contact",
        "household_symptoms",
    )
    zero_report_deadline: str = "10:00"
    # While emergency response is on, the zero report is due twice a day (SPEC 13).
    zero_report_afternoon_deadline: str = "16:00"
    district_report_hours: int = 2
    visitor_retention_days: int = 28
    # The hall's opening hours (办公时间) and its open days (ISO weekdays, Monday = 1): window
    # posts may not be left empty inside them (不得空岗).
    opening_hours: str = "08:30-17:00"
    opening_weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    # Close contacts (密切接触者): visitors within this many minutes of the case count, and
    # observation lasts this many days.
    contact_window_minutes: int = 30
    contact_observation_days: int = 14
    # Whom the desk calls at a hold (plan 三(一)1, 三(二)2), shown with the hold instructions
    # also on a phone with no connection: the bureau's leading group office (局防控领导小组
    # 办公室), then the district epidemic-prevention department (区防疫部门, the 区疾控中心).
    # Empty until the admin sets them: no default number could be right for every district.
    office_phone: str = ""
    district_epidemic_phone: str = ""

    # Scheduled disinfection rounds are spread over the opening hours.
    @property
    def hall_opens(self) -> str:
        return self.opening_hours.split("-")[0]

    @property
    def hall_closes(self) -> str:
        return self.opening_hours.split("-")[1]

    def as_dict(self) -> dict:
        """The policy as phones keep it, with the hall's time zone (HALLWATCH_TZ): the opening
        hours and days are the hall's local ones, whatever zone the phone is set to."""
        hours = {"hall_opens": self.hall_opens, "hall_closes": self.hall_closes}
        return {**asdict(self), **hours, "time_zone": clock.hall_zone().key}


@cache.kept("setting")
async def load_policy() -> Policy:
    """The policy in force: stored overrides on top of the defaults; unknown keys ignored."""
    known = {f.name for f in fields(Policy)}
    rows = await Setting.select(Setting.key, Setting.value)
    overrides = {r["key"]: _stored(json.loads(r["value"])) for r in rows if r["key"] in known}
    return replace(Policy(), **overrides)


def _stored(value):
    """A value as Policy holds it: JSON gives lists where Policy has tuples."""
    return tuple(value) if isinstance(value, list) else value


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
