"""A hold at the desk (暂留) raises an incident at once, in the same transaction as the
reading that caused it: the office sees it as soon as the entry reaches the server."""

from __future__ import annotations

from server.audit.service import Actor
from server.checks.tables import CheckStatus
from server.declarations.status import send_home
from server.incidents.service import raise_incident
from server.org.service import department_of


def _summary(check: dict) -> tuple[str, str]:
    """(summary, reason): the readings, and why the person is held."""
    readings = f"{check['temperature']:.1f}"
    if check.get("remeasure_temperature") is not None:
        readings += f" → {check['remeasure_temperature']:.1f}"
        return f"{readings} °C", "fever"
    return f"{readings} °C", "symptoms_travel"


async def raise_if_newly_held(entity: str, before: dict | None, after: dict, actor: Actor):
    """Open the incident for a check that has just become a hold (once per check)."""
    if after.get("status") != CheckStatus.held:
        return
    if before is not None and before.get("status") == CheckStatus.held:
        return
    summary, reason = _summary(after)
    subject = after.get("name") or after.get("person_name") or ""
    place = after.get("purpose") or after.get("department_name") or ""
    await raise_incident(
        entity,
        str(after["id"]),
        subject,
        place,
        summary,
        after.get("time_in") or after.get("taken_at"),
        actor,
        held=True,
        reason=reason,
        department=await department_of(after.get("person")),
    )
    if after.get("person") is not None:
        # A member of staff held at the desk stays home, awaiting notice, until the office
        # clears them (SPEC rules 3 and 4); the incident just raised told the office and head.
        await send_home(after["person"], "desk_hold", actor, ref=str(after["id"]), note=summary)
