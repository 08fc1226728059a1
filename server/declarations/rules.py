"""SPEC rules 4 and 5 as pure functions: the answers of a health declaration, which of them
keep a person at home, when a declaration is due, and how a person shows on the boards.

Messages are English msgids; the pages translate them."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.checks.rules import (
    Invalid,
    Problem,
    clean_symptoms,
    count_typed_symptom,
    parse_temperature,
)
from server.declarations.tables import WorkMode, WorkState
from server.i18n import N_
from server.policy.service import Policy

# The yes/no questions of the form (plan 三(一)2): travel, contact, the household.
YES_NO = ("left_city", "outbreak_contact", "household_symptoms")
# Everything a declaration answers besides the temperature, in the form's order.
ANSWERS = ("symptoms", "symptoms_other", *YES_NO, "left_city_where", "work_mode", "note")
RISKS = ("fever", "symptoms", "left_city", "outbreak_contact", "household_symptoms")


def _yes_no(value) -> bool | None:
    """True/False from a form ("yes"/"no") or JSON (true/false); None when not answered."""
    if value in (True, "yes", "on", "1", "true"):
        return True
    if value in (False, "no", "0", "false"):
        return False
    return None


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def clean_answers(form: dict, policy: Policy) -> dict:
    """The declaration's answers, cleaned; raises Invalid naming every unanswered or bad
    question at once. Yes/no questions have no default: each must be answered."""
    answers: dict = {}
    problems: list[Problem] = []
    try:
        answers["temperature"] = parse_temperature(form.get("temperature", ""), policy)
    except Invalid as bad:
        problems.extend(bad.problems)
    answers["symptoms"] = clean_symptoms(form.get("symptoms") or [])
    answers["symptoms_other"] = _text(form.get("symptoms_other"), 100)
    # As at the desk (web/static/js/declaration.js does the same on the phone).
    count_typed_symptom(answers)
    for name in YES_NO:
        answers[name] = _yes_no(form.get(name))
        if answers[name] is None:
            problems.append(Problem(name, N_("Answer yes or no")))
    where = _text(form.get("left_city_where"), 100)
    answers["left_city_where"] = where if answers.get("left_city") else ""
    if answers.get("left_city") and not where:
        problems.append(Problem("left_city_where", N_("Say where you went")))
    mode = str(form.get("work_mode") or "")
    if mode not in {m.value for m in WorkMode}:
        problems.append(Problem("work_mode", N_("Choose on site, from home or leave")))
    answers["work_mode"] = mode
    answers["note"] = _text(form.get("note"), 200)
    if problems:
        raise Invalid(problems)
    return answers


def risk_reasons(answers: dict, policy: Policy) -> list[str]:
    """The risk answers of a declaration that the policy counts, in a fixed order: any one
    of them keeps the person at home until the office clears them."""
    found = {
        "fever": answers["temperature"] >= policy.fever_threshold,
        "symptoms": bool(answers.get("symptoms")),
        "left_city": bool(answers.get("left_city")),
        "outbreak_contact": bool(answers.get("outbreak_contact")),
        "household_symptoms": bool(answers.get("household_symptoms")),
    }
    return [r for r in RISKS if found[r] and r in policy.declaration_risk_answers]


def state_after_declaration(current: WorkState, new_risks: list[str]) -> WorkState | None:
    """The work status a declaration moves a person to, or None for no change. A risk sends
    someone on duty home; nothing a person declares brings them back (only the office), and
    a sick absence stays what it is."""
    if new_risks and current == WorkState.on_duty:
        return WorkState.stay_home
    return None


def stored_answers(row: dict) -> dict:
    """A stored declaration's answers in the shape clean_answers gives."""
    answers = {name: row[name] for name in ("temperature", *ANSWERS)}
    answers["symptoms"] = clean_symptoms(row["symptoms"])
    return answers


def quick_path(yesterday: dict | None, policy: Policy) -> dict | None:
    """Yesterday's answers to prefill today's form, when they were all normal; without the
    temperature, which is typed in fresh every day."""
    if yesterday is None:
        return None
    answers = stored_answers(yesterday)
    if risk_reasons(answers, policy):
        return None
    del answers["temperature"]
    return answers


def deadline_at(day: dt.date, policy: Policy) -> dt.datetime:
    """The instant (UTC) the declarations of the hall's local `day` are due."""
    hour, minute = (int(part) for part in policy.declaration_deadline.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_zone())
    return local.astimezone(dt.UTC)


def declaration_due(now: dt.datetime, declared: bool, policy: Policy) -> str:
    """Whether today's declaration is in: "declared"; "due" before the deadline (the person
    is reminded); "missing" after it (the boards flag them)."""
    if declared:
        return "declared"
    today = clock.local(now).date()
    return "due" if now < deadline_at(today, policy) else "missing"


BOARD_STATES = ("absent", "stay_home", "missing", "due", "declared")


def board_state(now: dt.datetime, declared: bool, state: str, policy: Policy) -> str:
    """How a person shows on the team and office boards today, one state each: a sick
    absence or a stay-home notice first, then whether they have declared."""
    if state == WorkState.sick_absent:
        return "absent"
    if state == WorkState.stay_home:
        return "stay_home"
    return declaration_due(now, declared, policy)


def days_absent(since: dt.date, today: dt.date) -> int:
    """Days of a sick absence so far, counting the first day and today."""
    return max((today - since).days + 1, 1)
