"""Declaration fatigue flags: patterns worth a look, over one person's recent declarations."""

import datetime as dt

from server.declarations.fatigue import fatigue_flags

START = dt.date(2026, 2, 1)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def day_row(n: int, temperature: float = 36.5, second: int | None = None, **answers) -> dict:
    """The declaration of day n, sent at 08:0x (a different second each day by default)."""
    day = START + dt.timedelta(days=n)
    sent = dt.datetime.combine(day, dt.time(8, n % 50, second if second is not None else n % 60))
    return {
        "day": day,
        "temperature": temperature,
        "submitted_at": sent.replace(tzinfo=SHANGHAI),
        "symptoms": "",
        "symptoms_other": "",
        "left_city": False,
        "left_city_where": "",
        "outbreak_contact": False,
        "household_symptoms": False,
        "work_mode": "on_site",
        "note": "",
        **answers,
    }


def varied(n: int) -> float:
    return 36.3 + (n % 4) / 10


def test_ordinary_declarations_raise_nothing():
    assert fatigue_flags([day_row(n, varied(n)) for n in range(20)]) == []
    assert fatigue_flags([]) == []


def test_the_same_temperature_seven_days_running():
    six = [day_row(n, varied(n)) for n in range(10)] + [day_row(10 + n) for n in range(6)]
    assert fatigue_flags(six) == []
    assert fatigue_flags([*six, day_row(16)]) == ["same_temperature"]


def test_a_gap_breaks_the_run():
    rows = [day_row(n) for n in range(3)] + [day_row(n) for n in range(4, 8)]
    assert fatigue_flags(rows) == []


def test_only_the_run_up_to_the_latest_day_counts():
    rows = [day_row(n) for n in range(8)] + [day_row(8, 36.9)]
    assert fatigue_flags(rows) == []


def test_answers_copied_fourteen_days_running():
    trip = {"left_city": True, "left_city_where": "济南"}
    rows = [day_row(n, varied(n), **trip) for n in range(13)]
    assert fatigue_flags(rows) == []
    assert fatigue_flags([*rows, day_row(13, varied(13), **trip)]) == ["copied_answers"]


def test_all_normal_answers_repeat_by_design_and_are_no_copy():
    assert fatigue_flags([day_row(n, varied(n)) for n in range(30)]) == []


def test_the_same_second_every_day():
    rows = [day_row(n, varied(n), second=17) for n in range(2)]
    assert fatigue_flags(rows) == []
    # 08:00:17, 08:01:17, 08:02:17 differ: the time of day must match to the second
    same = [
        {
            **day_row(n, varied(n)),
            "submitted_at": dt.datetime.combine(
                START + dt.timedelta(days=n), dt.time(8, 0, 17), tzinfo=SHANGHAI
            ),
        }
        for n in range(3)
    ]
    assert fatigue_flags(same) == ["same_second"]
    assert fatigue_flags([*rows, day_row(2, varied(2), second=17)]) == []


def test_several_flags_at_once_in_a_fixed_order():
    sent = dt.time(7, 30, 0)
    rows = [
        {
            **day_row(n, note="同上"),
            "submitted_at": dt.datetime.combine(
                START + dt.timedelta(days=n), sent, tzinfo=SHANGHAI
            ),
        }
        for n in range(14)
    ]
    assert fatigue_flags(rows) == ["same_temperature", "copied_answers", "same_second"]


def test_order_of_the_input_does_not_matter():
    rows = [day_row(n) for n in range(7)]
    assert fatigue_flags(list(reversed(rows))) == ["same_temperature"]
