"""What the records say for a department, day and round: the zero report's prefill and the
yardstick of its mismatch check.

Staff counts come from the declarations' one per-department query (on site, at home, on
leave, fever including the desk's readings); close contacts are the department's staff
confirmed as an incident's contacts and still under observation or isolation that day.

Suspected cases (疑似) are the office's judgement, not the records' alone: a risky declaration
(travel, a household member's symptoms), a desk hold or a staff close contact's abnormal
follow-up raises an incident at once, and the office then screens it (排查疑似病例, plan
二(二)2). It reports those it judges suspected to the district office and CDC
(一经发现…及时向区…报告) or transfers them (移送), and clears the others. So the staff whose
incident detected that day was reported to the district or transferred, and not cleared,
are suspected; the daily report to the district then agrees with what the office told the
district by phone. Those the office has not judged yet are counted apart as awaiting its
judgement: shown beside the report, never part of it nor of its mismatch check (a head is not
to report as suspected what the office has not)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from server import clock
from server.checks.tables import StaffCheck
from server.declarations.boards import daily_counts
from server.declarations.tables import Declaration
from server.incidents import escalation
from server.incidents.contact_status import person_of
from server.incidents.contacts import under_watch
from server.incidents.tables import ContactFollowUp, ContactKind, Incident, IncidentStep, StepKind
from server.org.tables import Person
from server.policy.service import Policy
from server.reports import rules
from server.reports.tables import COUNT_FIELDS, ReportRound
from sync.ids import parse_entry_id

# The records that name a member of staff, by the incident's source.
PERSON_SOURCES = {"staff_check": StaffCheck, "declaration": Declaration}
# With those, a close contact's follow-up: it names a member of staff when the contact is one.
STAFF_SOURCES = [*PERSON_SOURCES, escalation.SOURCE]


def cutoff(day: dt.date, round_: ReportRound, policy: Policy) -> dt.datetime:
    """Records up to this instant count for the round: the morning report covers the day until
    noon's afternoon round opens, the afternoon (or only) report the whole day."""
    start, end = clock.day_bounds(day)
    if round_ == ReportRound.am and rules.deadline(day, ReportRound.pm, policy) < end:
        return start + dt.timedelta(hours=12)
    return end


# The steps by which the office judges a case suspected, or not.
CONFIRMING = (StepKind.reported_district, StepKind.transferred)


async def _judged(incident_ids: list) -> tuple[set, set]:
    """(the incidents the office reported to the district or transferred, those it cleared)."""
    confirmed: set = set()
    cleared: set = set()
    if incident_ids:
        steps = await IncidentStep.select(IncidentStep.incident, IncidentStep.kind).where(
            IncidentStep.incident.is_in(incident_ids)
            & IncidentStep.kind.is_in([*CONFIRMING, StepKind.cleared])
        )
        for step in steps:
            (cleared if step["kind"] == StepKind.cleared else confirmed).add(step["incident"])
    return confirmed, cleared


async def _people(incidents: list[dict]) -> set[int]:
    """The staff the incidents' source records name."""
    people: set[int] = set()
    for source, table in PERSON_SOURCES.items():
        ids = [
            found
            for i in incidents
            if i["source"] == source and (found := parse_entry_id(i["source_id"] or ""))
        ]
        if ids:
            rows = await table.select(table.person).where(table.id.is_in(ids))
            people.update(r["person"] for r in rows)
    return people | await _contacts_followed(incidents)


async def _contacts_followed(incidents: list[dict]) -> set[int]:
    """The staff whose abnormal follow-up as a close contact raised one of the incidents."""
    ids = [
        found
        for i in incidents
        if i["source"] == escalation.SOURCE and (found := parse_entry_id(i["source_id"] or ""))
    ]
    if not ids:
        return set()
    contacts = await ContactFollowUp.select(
        ContactFollowUp.contact.kind.as_alias("kind"), ContactFollowUp.contact.ref.as_alias("ref")
    ).where(ContactFollowUp.id.is_in(ids))
    return {person for c in contacts if (person := person_of(c)) is not None}


async def suspected_by_department(
    day: dt.date, until: dt.datetime
) -> tuple[dict[int, int], dict[int, int]]:
    """Department → how many of its staff have an incident detected on `day` before `until`
    that the office judged suspected (reported to the district or transferred, not cleared);
    and department → how many more have one it has neither confirmed nor cleared yet."""
    start, end = clock.day_bounds(day)
    incidents = await Incident.select(Incident.id, Incident.source, Incident.source_id).where(
        (Incident.detected_at >= start)
        & (Incident.detected_at < min(end, until))
        & Incident.source.is_in(STAFF_SOURCES)
    )
    confirmed, cleared = await _judged([i["id"] for i in incidents])
    suspected = await _people([i for i in incidents if i["id"] in confirmed - cleared])
    waiting = [i for i in incidents if i["id"] not in confirmed | cleared]
    pending = await _people(waiting) - suspected
    return await _by_department(suspected), await _by_department(pending)


async def _by_department(person_ids: set[int]) -> dict[int, int]:
    counted: dict[int, int] = defaultdict(int)
    if person_ids:
        rows = await Person.select(Person.department).where(Person.id.is_in(list(person_ids)))
        for row in rows:
            if row["department"] is not None:
                counted[row["department"]] += 1
    return dict(counted)


async def contacts_by_department(day: dt.date) -> dict[int, int]:
    """Department → how many of its staff are close contacts under watch on `day`."""
    watched = await under_watch(day)
    return await _by_department(
        {int(c["ref"]) for c in watched if c["kind"] == ContactKind.staff and c["ref"].isdigit()}
    )


async def recorded_counts(
    day: dt.date, round_: ReportRound, policy: Policy, now: dt.datetime | None = None
) -> dict[int, dict[str, int]]:
    """Department → the six counts (and its staff, and its cases awaiting the office's
    judgement) the records give for the round, as of the round's cutoff or `now` when
    earlier."""
    until = cutoff(day, round_, policy)
    if now is not None:
        until = min(until, now)
    staff = await daily_counts(day, until)
    suspected, pending = await suspected_by_department(day, until)
    contacts = await contacts_by_department(day)
    result = {}
    for department in set(staff) | set(suspected) | set(pending) | set(contacts):
        if department is None:
            continue  # the bureau's leaders belong to no department's report
        found = staff.get(department, {})
        counts = {name: found.get(name, 0) for name in COUNT_FIELDS}
        counts["suspected"] = suspected.get(department, 0)
        counts["pending_review"] = pending.get(department, 0)
        counts["close_contacts"] = contacts.get(department, 0)
        counts["staff"] = found.get("staff", 0)
        result[department] = counts
    return result
