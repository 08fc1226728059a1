"""Declaration fatigue (申报疲劳): patterns in a person's recent declarations that suggest the
form is being filled without thought. They are flags for the office to look at, not
accusations: an honest person can trip one.

- the same temperature 7 days running (a thermometer is never that steady);
- the same answers 14 days running, where those answers say something (a trip, a contact,
  symptoms, a note): with the quick path an all-normal day repeats by design, but a trip
  still declared after 14 days, the quarantine window, has been copied forward;
- the first submission at the same second of the day 3 days running (a script)."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.declarations.rules import ANSWERS, stored_answers

SAME_TEMPERATURE_DAYS = 7
COPIED_ANSWERS_DAYS = 14
SAME_SECOND_DAYS = 3
LOOKBACK_DAYS = max(SAME_TEMPERATURE_DAYS, COPIED_ANSWERS_DAYS, SAME_SECOND_DAYS)
FLAGS = ("same_temperature", "copied_answers", "same_second")
PLAIN = {
    "symptoms": [],
    "symptoms_other": "",
    "left_city": False,
    "outbreak_contact": False,
    "household_symptoms": False,
    "left_city_where": "",
    "work_mode": "on_site",
    "note": "",
}


def _run(rows: list[dict], key) -> int:
    """How many declarations on consecutive days, back from the latest, share the latest's
    `key`."""
    if not rows:
        return 0
    latest, count = rows[-1], 1
    for earlier, later in zip(reversed(rows[:-1]), reversed(rows[1:]), strict=True):
        if later["day"] - earlier["day"] != dt.timedelta(days=1) or key(earlier) != key(latest):
            break
        count += 1
    return count


def _answers(row: dict) -> tuple:
    answers = stored_answers(row)
    return tuple(str(answers[name]) for name in ANSWERS)


def _second_of_day(row: dict) -> str:
    return clock.local(row["submitted_at"]).strftime("%H:%M:%S")


def fatigue_flags(recent: list[dict]) -> list[str]:
    """The flags the latest of `recent` (one person's declarations, with day, temperature,
    answers and submitted_at) raises, in a fixed order."""
    rows = sorted(recent, key=lambda r: r["day"])
    if not rows:
        return []
    flags = []
    if _run(rows, lambda r: round(r["temperature"], 1)) >= SAME_TEMPERATURE_DAYS:
        flags.append("same_temperature")
    plain = tuple(str(PLAIN[name]) for name in ANSWERS)
    if _answers(rows[-1]) != plain and _run(rows, _answers) >= COPIED_ANSWERS_DAYS:
        flags.append("copied_answers")
    if _run(rows, _second_of_day) >= SAME_SECOND_DAYS:
        flags.append("same_second")
    return flags
