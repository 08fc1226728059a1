"""What the hall's notifications say and whom they reach (plan 三(二): the leading-group
office at once; the 组长 and 副组长 when the district was not told in time; a department's
head for their own staff)."""

from __future__ import annotations

import datetime as dt

from server.i18n import N_
from server.notify.service import Audience, Note, local_text

OFFICE_AND_LEADERS = ("office", "leader")

# What a head is told of their staff member's incident, by what raised it: the reason in words
# (a declaration's temperature is mostly normal: the risk answer is the reason), and their
# part under the plan — the office reports (一(二)3), the head keeps their phone on (三(一)1),
# sees the person stays home (三(一)2), helps find close contacts and keeps the team calm
# (三(二)2).
FOR_HEADS = {
    "staff_check": N_(
        "Incident: %(subject)s (%(place)s) was held at the entrance with a fever, %(readings)s. "
        "The office has been told and reports it to the district. Keep your phone on, keep "
        "them home until cleared, tell the office of close contacts in your team, and keep "
        "the team calm."
    ),
    "declaration": N_(
        "Incident: %(subject)s (%(place)s) gave a risk answer in today's health declaration "
        "(see your team's board). The office has been told and reports it to the district. "
        "Keep your phone on, keep them home until cleared, tell the office of close contacts "
        "in your team, and keep the team calm."
    ),
    "contact_follow_up": N_(
        "Incident: %(subject)s (%(place)s), a close contact under observation, was unwell at "
        "a follow-up: %(readings)s. The office has been told and reports it to the district. "
        "Keep your phone on, keep them home until cleared, tell the office of close contacts "
        "in your team, and keep the team calm."
    ),
}
FOR_HEADS_OTHERWISE = N_(
    "Incident: %(subject)s (%(place)s), %(readings)s. The office has been told and reports it "
    "to the district. Keep your phone on, keep them home until cleared, tell the office of "
    "close contacts in your team, and keep the team calm."
)


def _for_heads(incident: dict) -> Note:
    """A head may not open the incident nor report it: their team's board instead."""
    return Note(
        kind="incident_raised",
        title=N_("Incident in your department"),
        message=FOR_HEADS.get(incident["source"], FOR_HEADS_OTHERWISE),
        params={
            "subject": incident["subject"],
            "place": incident["place"] or "—",
            "readings": incident["summary"] or "—",
        },
        link="/team",
    )


def incident_raised(incident: dict, department: int | None) -> tuple[Note, Audience]:
    note = Note(
        kind="incident_raised",
        title=N_("Incident raised"),
        message=N_(
            "Incident: %(subject)s (%(place)s), %(summary)s. "
            "Report it to the district by %(deadline)s."
        ),
        params={
            "subject": incident["subject"],
            "place": incident["place"] or "—",
            "summary": incident["summary"] or "—",
            "deadline": local_text(incident["district_deadline"]),
        },
        link=f"/office/incidents/{incident['id']}",
        instead={"head": _for_heads(incident)},
    )
    return note, Audience(roles=OFFICE_AND_LEADERS, department=department)


def incident_overdue(incident: dict) -> tuple[Note, Audience]:
    note = Note(
        kind="incident_overdue",
        title=N_("Incident overdue"),
        message=N_(
            "Overdue: the incident of %(subject)s (%(place)s) was not reported to the district "
            "by %(deadline)s."
        ),
        params={
            "subject": incident["subject"],
            "place": incident["place"] or "—",
            "deadline": local_text(incident["district_deadline"]),
        },
        link=f"/office/incidents/{incident['id']}",
    )
    return note, Audience(roles=OFFICE_AND_LEADERS)


def declaration_reminder(user_id: int, deadline: dt.datetime) -> tuple[Note, Audience]:
    note = Note(
        kind="declaration_reminder",
        title=N_("Health declaration"),
        message=N_("Please submit today's health declaration before %(deadline)s."),
        params={"deadline": local_text(deadline)[-5:]},
        link="/me/declaration",
    )
    return note, Audience(users=(user_id,), external=False)


def zero_report_reminder(row: dict) -> tuple[Note, Audience]:
    """A department's report still due (a row of reports' day_status): to its heads."""
    note = Note(
        kind="zero_report_reminder",
        title=N_("Zero report"),
        message=N_(
            "Please submit the zero report of %(department)s before %(deadline)s; "
            "all zeros if there is nothing to report."
        ),
        params={"department": row["name"], "deadline": local_text(row["deadline"])[-5:]},
        link="/zero-report/",
    )
    # The heads' own reminder (in-app and their e-mail): the group's chat need not read it.
    return note, Audience(department=row["department"], group_robot=False)


# A round's reports not in by the deadline (迟报) and not in by the day's end (漏报).
OVERDUE_REPORTS = {
    "late": (
        N_("Zero report late"),
        N_("Zero report late: %(departments)s had not reported by %(deadline)s."),
    ),
    "missed": (
        N_("Zero report missed"),
        N_("Zero report missed: %(departments)s reported nothing for %(deadline)s that day."),
    ),
}


def zero_reports_overdue(state: str, rows: list[dict]) -> tuple[Note, Audience]:
    """One round's late or missed reports (rows of day_status, one round): to the office."""
    title, message = OVERDUE_REPORTS[state]
    note = Note(
        kind=f"zero_report_{state}",
        title=title,
        message=message,
        params={
            "deadline": local_text(rows[0]["deadline"]),
            "departments": [row["name"] for row in rows],
        },
        link=f"/zero-report/?day={rows[0]['day'].isoformat()}",
    )
    return note, Audience(roles=("office",))
