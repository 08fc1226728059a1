"""SPEC rules 4 and 5 as tables: the answers, which of them keep a person at home (and how
the policy changes that), the quick path, the deadline, the boards' states."""

import datetime as dt

import pytest

from server.checks.rules import Invalid
from server.declarations.absences import clean_absence
from server.declarations.rules import (
    board_state,
    clean_answers,
    days_absent,
    deadline_at,
    declaration_due,
    quick_path,
    risk_reasons,
    state_after_declaration,
)
from server.declarations.tables import WorkState
from server.policy.service import Policy

POLICY = Policy()
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NORMAL = {
    "temperature": "36.6",
    "symptoms": [],
    "left_city": "no",
    "outbreak_contact": "no",
    "household_symptoms": "no",
    "work_mode": "on_site",
}


def answers(**changes) -> dict:
    return clean_answers({**NORMAL, **changes}, POLICY)


@pytest.mark.parametrize(
    "changes, policy, risks",
    [
        ({}, POLICY, []),
        ({"temperature": "37.2"}, POLICY, []),
        ({"temperature": "37.3"}, POLICY, ["fever"]),
        ({"temperature": "37.3"}, Policy(fever_threshold=37.5), []),
        ({"symptoms": ["cough"]}, POLICY, ["symptoms"]),
        ({"symptoms": ["other"], "symptoms_other": "腹泻"}, POLICY, ["symptoms"]),
        ({"symptoms_other": "流涕"}, POLICY, ["symptoms"]),  # typed, its box left unticked
        ({"symptoms_other": "  "}, POLICY, []),
        ({"left_city": "yes", "left_city_where": "济南"}, POLICY, ["left_city"]),
        ({"outbreak_contact": "yes"}, POLICY, ["outbreak_contact"]),
        ({"household_symptoms": "yes"}, POLICY, ["household_symptoms"]),
        ({"work_mode": "from_home"}, POLICY, []),
        ({"work_mode": "leave"}, POLICY, []),
        (
            {"temperature": "38.0", "symptoms": ["cough"], "outbreak_contact": "yes"},
            POLICY,
            ["fever", "symptoms", "outbreak_contact"],
        ),
        # A district that no longer keeps travellers at home drops the answer from the setting.
        (
            {"left_city": "yes", "left_city_where": "济南"},
            Policy(declaration_risk_answers=("fever", "symptoms")),
            [],
        ),
        (
            {"left_city": "yes", "left_city_where": "济南", "symptoms": ["fatigue"]},
            Policy(declaration_risk_answers=["symptoms"]),  # as stored: a JSON list
            ["symptoms"],
        ),
    ],
)
def test_risk_answers(changes, policy, risks):
    assert risk_reasons(clean_answers({**NORMAL, **changes}, policy), policy) == risks


@pytest.mark.parametrize(
    "current, new_risks, after",
    [
        (WorkState.on_duty, [], None),
        (WorkState.on_duty, ["fever"], WorkState.stay_home),
        (WorkState.stay_home, ["symptoms"], None),  # already home: no second change
        (WorkState.stay_home, [], None),  # a normal declaration never brings anyone back
        (WorkState.sick_absent, ["fever"], None),  # the absence stands
        (WorkState.sick_absent, [], None),
    ],
)
def test_work_status_after_a_declaration(current, new_risks, after):
    assert state_after_declaration(current, new_risks) == after


@pytest.mark.parametrize(
    "form, fields",
    [
        ({**NORMAL, "temperature": ""}, {"temperature"}),
        ({**NORMAL, "temperature": "45"}, {"temperature"}),
        ({k: v for k, v in NORMAL.items() if k != "left_city"}, {"left_city"}),
        ({**NORMAL, "outbreak_contact": "maybe"}, {"outbreak_contact"}),
        ({**NORMAL, "left_city": "yes"}, {"left_city_where"}),
        ({**NORMAL, "work_mode": "beach"}, {"work_mode"}),
        (
            {"temperature": "x"},
            {"temperature", *("left_city", "outbreak_contact"), "household_symptoms", "work_mode"},
        ),
    ],
)
def test_bad_or_missing_answers_are_all_named_at_once(form, fields):
    with pytest.raises(Invalid) as refused:
        clean_answers(form, POLICY)
    assert {p.field for p in refused.value.problems} == fields


def test_answers_are_cleaned():
    cleaned = answers(
        symptoms=["cough", "nonsense", "fatigue"],
        symptoms_other=" 流涕 ",  # its box left unticked: the typed text ticks it
        left_city=True,  # JSON from a phone
        left_city_where=" 济南 ",
        note="x" * 300,
    )
    assert cleaned["symptoms"] == ["cough", "fatigue", "other"]
    assert cleaned["symptoms_other"] == "流涕"
    assert cleaned["left_city"] is True and cleaned["left_city_where"] == "济南"
    assert len(cleaned["note"]) == 200
    assert answers(left_city_where="济南")["left_city_where"] == ""  # only with a trip


def stored(**changes) -> dict:
    row = {**answers(), **changes}
    return {**row, "symptoms": ",".join(row["symptoms"])}


@pytest.mark.parametrize(
    "yesterday, prefilled",
    [
        (None, False),
        (stored(), True),
        (stored(work_mode="from_home", note="居家办公"), True),
        (stored(temperature=37.5), False),
        (stored(symptoms=["cough"]), False),
        (stored(left_city=True, left_city_where="济南"), False),
    ],
)
def test_quick_path_only_after_an_all_normal_day(yesterday, prefilled):
    quick = quick_path(yesterday, POLICY)
    assert (quick is not None) is prefilled
    if quick:
        assert "temperature" not in quick  # typed in fresh every day
        assert quick["work_mode"] == yesterday["work_mode"]


DAY = dt.date(2026, 2, 10)


def at(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, 10, hour, minute, second, tzinfo=SHANGHAI).astimezone(dt.UTC)


def test_the_deadline_is_the_hall_s_local_time():
    assert deadline_at(DAY, POLICY) == at(9)
    assert deadline_at(DAY, Policy(declaration_deadline="10:30")) == at(10, 30)


@pytest.mark.parametrize(
    "now, declared, policy, due",
    [
        (at(0, 5), False, POLICY, "due"),
        (at(8, 59, 59), False, POLICY, "due"),  # reminded before the deadline
        (at(9), False, POLICY, "missing"),  # flagged from the deadline on
        (at(23, 59), False, POLICY, "missing"),
        (at(9, 30), False, Policy(declaration_deadline="10:00"), "due"),
        (at(9, 30), True, POLICY, "declared"),
        (at(7), True, POLICY, "declared"),
    ],
)
def test_reminder_then_missing_at_the_deadline(now, declared, policy, due):
    assert declaration_due(now, declared, policy) == due


@pytest.mark.parametrize(
    "now, declared, state, shown",
    [
        (at(8), False, WorkState.on_duty, "due"),
        (at(10), False, WorkState.on_duty, "missing"),
        (at(10), True, WorkState.on_duty, "declared"),
        (at(10), True, WorkState.stay_home, "stay_home"),
        (at(10), False, WorkState.stay_home, "stay_home"),
        (at(10), True, WorkState.sick_absent, "absent"),
    ],
)
def test_each_person_has_one_state_on_the_boards(now, declared, state, shown):
    assert board_state(now, declared, state, POLICY) == shown


@pytest.mark.parametrize(
    "since, today, days",
    [(DAY, DAY, 1), (DAY - dt.timedelta(days=3), DAY, 4), (DAY + dt.timedelta(days=1), DAY, 1)],
)
def test_days_absent_count_the_first_day_and_today(since, today, days):
    assert days_absent(since, today) == days


def test_a_sick_absence_dated_in_full_width_digits_is_read_as_typed():
    today = dt.date(2026, 3, 9)
    form = {"since": "２０２６－０３－０７", "symptoms": "发热", "saw_doctor": "no"}
    assert clean_absence(form, today)["since"] == dt.date(2026, 3, 7)
