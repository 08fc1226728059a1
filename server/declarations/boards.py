"""The day's boards: each person one row (absent / stay home / missing / due / declared),
for one department (the head's team) or the whole bureau (the office), and the counts per
department and day that the daily zero report (每日零报告) is built from."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from server import clock
from server.db import contains
from server.declarations import status
from server.declarations.rules import BOARD_STATES, board_state, declaration_due
from server.declarations.tables import Declaration, WorkState
from server.org.tables import Department, Person
from server.policy.service import Policy


@dataclass(frozen=True)
class BoardFilter:
    """What the office asked for: a department (0: the bureau's leaders), a state (kept from
    work: absent or stay_home; or today's declaration: declared, due or missing, whatever the
    work status), fatigue-flagged only, a name."""

    department: int | None = None
    state: str = ""
    flagged: bool = False
    text: str = ""


async def _people(department: int | None, text: str) -> list[dict]:
    where = Person.active == True  # noqa: E712
    if department == 0:
        where &= Person.department.is_null()
    elif department is not None:
        where &= Person.department == department
    if text:
        where &= contains(Person.name, text)
    return await Person.select(
        Person.id,
        Person.name,
        Person.title,
        Person.department,
        Person.department.name.as_alias("department_name"),
        Person.department.position.as_alias("position"),
    ).where(where)


async def board(
    now: dt.datetime, policy: Policy, department: int | None = None, text: str = ""
) -> list[dict]:
    """Every active person (of one department when given; 0 for the leaders without one)
    with today's declaration, whether it is in (`due`: declared, due or missing, whatever
    their work status), work status and board state; the states that need action first,
    then by department and name."""
    people = await _people(department, text)
    ids = [p["id"] for p in people]
    day = clock.local(now).date()
    declared = {}
    if ids:
        declared = {
            d["person"]: d
            for d in await Declaration.select().where(
                (Declaration.day == day) & Declaration.person.is_in(ids)
            )
        }
    states = await status.states_of(ids)
    rows = []
    for person in people:
        work = states.get(person["id"], {}).get("state", WorkState.on_duty)
        found = declared.get(person["id"])
        rows.append(
            {
                **person,
                "declaration": found,
                "due": declaration_due(now, found is not None, policy),
                "work_state": work,
                "state": board_state(now, found is not None, work, policy),
            }
        )
    order = {state: n for n, state in enumerate(BOARD_STATES)}
    rows.sort(key=lambda r: (order[r["state"]], r["position"] or -1, r["name"]))
    return rows


def count_states(rows: list[dict]) -> dict[str, int]:
    counted = Counter(r["state"] for r in rows)
    return {state: counted.get(state, 0) for state in BOARD_STATES}


DUE_STATES = ("declared", "due", "missing")


def count_declarations(rows: list[dict]) -> dict[str, int]:
    """Today's declarations of everyone on the board, declared or not, whether kept from
    work or not: those told to stay home or absent sick declare every day too."""
    counted = Counter(r["due"] for r in rows)
    return {due: counted.get(due, 0) for due in DUE_STATES}


def filtered(rows: list[dict], filt: BoardFilter) -> list[dict]:
    """The rows the office's state and flag filters keep: each state filter keeps exactly
    whom its count counts (`count_states` for those kept from work, `count_declarations`)."""
    if filt.state in DUE_STATES:
        rows = [r for r in rows if r["due"] == filt.state]
    elif filt.state in BOARD_STATES:
        rows = [r for r in rows if r["state"] == filt.state]
    if filt.flagged:
        rows = [r for r in rows if r["declaration"] and r["declaration"]["flags"]]
    return rows


async def per_department(rows: list[dict], day: dt.date) -> list[dict]:
    """Per department: who is kept from work (absent, stay_home) and today's declarations
    of everyone (declared, due, missing, as `count_declarations`), beside the zero report's
    counts for the day; departments in the attachment's order, the leaders first."""
    counts = await daily_counts(day)
    departments = await Department.select(Department.id, Department.name).order_by(
        Department.position
    )
    names = [(None, None), *((d["id"], d["name"]) for d in departments)]
    result = []
    for department, name in names:
        mine = [r for r in rows if r["department"] == department]
        if not mine:
            continue
        kept = count_states(mine)
        result.append(
            {
                "department": department,
                "name": name,
                "people": len(mine),
                "absent": kept["absent"],
                "stay_home": kept["stay_home"],
                **count_declarations(mine),
                "report": counts.get(department, {}),
            }
        )
    return result


COUNTS_SQL = """
WITH last_change AS (
  SELECT c.person AS person, c.to_state AS state
  FROM work_status_change c
  WHERE c.id IN (SELECT MAX(id) FROM work_status_change WHERE at < {} GROUP BY person)
), desk_fever AS (
  SELECT DISTINCT k.person AS person
  FROM staff_check k
  WHERE k.taken_at >= {} AND k.taken_at < {} AND k.status IN ('remeasure', 'held')
), staff AS (
  SELECT p.department AS department, COALESCE(s.state, 'on_duty') AS state,
         d.id AS declared, d.work_mode AS mode,
         CASE WHEN d.temperature >= d.fever_threshold THEN 1 ELSE 0 END AS fever,
         f.person AS desk_fever
  FROM person p
  LEFT JOIN health_declaration d ON d.day_key = CAST(p.id AS VARCHAR(20)) || {}
  LEFT JOIN last_change s ON s.person = p.id
  LEFT JOIN desk_fever f ON f.person = p.id
  WHERE p.active = {}
)
SELECT department,
  COUNT(*) AS staff,
  SUM(CASE WHEN state = 'on_duty' AND mode = 'on_site' THEN 1 ELSE 0 END) AS on_site,
  SUM(CASE WHEN state = 'stay_home' OR (state = 'on_duty' AND mode = 'from_home')
      THEN 1 ELSE 0 END) AS at_home,
  SUM(CASE WHEN state = 'sick_absent' OR (state = 'on_duty' AND mode = 'leave')
      THEN 1 ELSE 0 END) AS on_leave,
  SUM(CASE WHEN fever = 1 OR desk_fever IS NOT NULL THEN 1 ELSE 0 END) AS fever,
  SUM(CASE WHEN state = 'stay_home' THEN 1 ELSE 0 END) AS stay_home,
  SUM(CASE WHEN declared IS NULL AND state = 'on_duty' THEN 1 ELSE 0 END) AS not_declared
FROM staff
GROUP BY department
"""
COUNT_NAMES = ("staff", "on_site", "at_home", "on_leave", "fever", "stay_home", "not_declared")


async def daily_counts(
    day: dt.date, until: dt.datetime | None = None
) -> dict[int | None, dict[str, int]]:
    """Per department (None: the leaders without one) for the hall's local `day`, in one
    query: staff on site, at home (working from home or told to stay home), on leave (or
    absent sick), with a fever (in their declaration, or a desk reading whose last value is
    abnormal), told to stay home, not declared. The work status and desk readings are as of
    the day's end, or `until` when earlier (the zero report's round). The daily zero report
    adds incidents to these (server/reports/records.py).

    A fever is judged by the threshold in force when it was taken: the declaration keeps it,
    and a desk reading's status (re-measure due, or held) was set by it. Today's setting
    would turn a past report that was right into one short of the records (瞒报)."""
    start, end = clock.day_bounds(day)
    if until is not None:
        end = min(end, until)
    # The declaration is found by its unique "<person>|<day>" key: one index probe per person,
    # where joining on person and day read every declaration of the day for each person.
    day_key = f"|{day.isoformat()}"
    rows = await Person.raw(COUNTS_SQL, end, start, end, day_key, True)
    return {row["department"]: {name: int(row[name] or 0) for name in COUNT_NAMES} for row in rows}
