"""Word to the office and department heads about a person's work status: who must stay home,
who is absent sick, who may return. It goes through the notify domain's outbox, in the
transaction of the status change: on their /notifications lists, to the group robot and by
e-mail; at once for a stay-home, in the daily digest for the rest."""

from __future__ import annotations

from server.i18n import N_
from server.notify import service as notifications

MESSAGES = {
    "stay_home": N_("%(name)s (%(department)s) must stay home and await notice."),
    "sick_absence": N_("%(name)s (%(department)s) is absent sick since %(since)s."),
    "cleared": N_("%(name)s (%(department)s) may return to work: cleared by the office."),
}
TITLES = {
    "stay_home": N_("Must stay home"),
    "sick_absence": N_("Sick absence"),
    "cleared": N_("Back to work"),
}
# A risky declaration: the person must not come in tomorrow morning, so the office and the
# head hear at once, like a hold at the desk; the others wait for the daily digest.
URGENT = {"stay_home"}
OFFICE_AND_LEADERS = ("office", "leader")


async def notify(
    kind: str, person: dict, change_id: int, params: dict, office: bool = True, head: bool = True
) -> None:
    """Tell the office (and leaders) and/or the person's department head about `person` (a
    row with id, name, department and department_name), whose work status change
    `change_id` caused it. Call inside the writing transaction."""
    note = notifications.Note(
        kind,
        TITLES[kind],
        MESSAGES[kind],
        {"name": person["name"], "department": person["department_name"] or "—", **params},
        link=f"/health/people/{person['id']}",
    )
    audience = notifications.Audience(
        roles=OFFICE_AND_LEADERS if office else (),
        department=person["department"] if head else None,
    )
    event = f"{kind}:work_status_change:{change_id}"
    await notifications.enqueue(event, note, audience, urgent=kind in URGENT)
