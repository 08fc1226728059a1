"""SPEC rule 3 and the field checks, as tables."""

import pytest

from server.checks.rules import (
    VISITOR_FIELDS,
    Invalid,
    first_reading_status,
    is_abnormal,
    is_id_number,
    is_mobile,
    parse_temperature,
    remeasure_status,
)
from server.checks.tables import CheckStatus
from server.policy.service import Policy

POLICY = Policy()


@pytest.mark.parametrize(
    "text, value",
    [
        ("36.5", 36.5),
        (" 37.25 ", 37.2),
        ("34", 34.0),
        ("43.0", 43.0),
        ("36,8", 36.8),
        ("３６．５", 36.5),  # typed full-width with a Chinese input method
        ("３７，１", 37.1),
    ],
)
def test_valid_readings_round_to_a_tenth(text, value):
    assert parse_temperature(text, POLICY) == value


@pytest.mark.parametrize("text", ["33.9", "43.1", "45", "-1", "360"])
def test_readings_outside_the_valid_range_are_misreads(text):
    with pytest.raises(Invalid) as refused:
        parse_temperature(text, POLICY)
    problem = refused.value.problems[0]
    assert problem.field == "temperature"
    assert "misread" in problem.message
    assert problem.params["low"] == 34.0 and problem.params["high"] == 43.0


@pytest.mark.parametrize("text", ["", "abc", "36.5°"])
def test_non_numbers_are_refused(text):
    with pytest.raises(Invalid):
        parse_temperature(text, POLICY)


@pytest.mark.parametrize(
    "value, abnormal", [(37.2, False), (37.3, True), (38.5, True), (36.0, False)]
)
def test_threshold_is_inclusive(value, abnormal):
    assert is_abnormal(value, POLICY) is abnormal


def test_threshold_follows_the_policy():
    assert not is_abnormal(37.3, Policy(fever_threshold=37.5))
    assert is_abnormal(37.5, Policy(fever_threshold=37.5))


@pytest.mark.parametrize(
    "temperature, symptoms, travel, status",
    [
        (36.5, [], False, CheckStatus.normal),
        (37.3, [], False, CheckStatus.remeasure),
        (36.5, ["cough"], False, CheckStatus.normal),
        (36.5, [], True, CheckStatus.normal),
        (36.5, ["cough"], True, CheckStatus.held),
        (38.0, ["fatigue"], True, CheckStatus.held),
    ],
)
def test_first_reading(temperature, symptoms, travel, status):
    assert first_reading_status(temperature, symptoms, travel, POLICY) == status


@pytest.mark.parametrize(
    "second, status",
    [(37.4, CheckStatus.held), (37.3, CheckStatus.held), (36.9, CheckStatus.cleared)],
)
def test_remeasure(second, status):
    assert remeasure_status(second, POLICY) == status


@pytest.mark.parametrize(
    "number, valid",
    [
        ("11010519491231002X", True),  # the standard's own example
        ("11010519491231002x", True),
        ("110105194912310021", False),  # wrong check character
        ("11010519491331002X", False),  # month 13
        ("1101051949123100", False),  # too short
        ("A1010519491231002X", False),
    ],
)
def test_id_numbers(number, valid):
    assert is_id_number(number) is valid


@pytest.mark.parametrize(
    "phone, valid",
    [
        ("13812345678", True),
        ("19912345678", True),
        ("12812345678", False),
        ("1381234567", False),
        ("138123456789", False),
        ("23812345678", False),
        ("1381234567a", False),
        ("١٣٨١٢٣٤٥٦٧٨", False),  # digits, but not ones a number is stored with
    ],
)
def test_mobiles(phone, valid):
    assert is_mobile(phone) is valid


@pytest.mark.parametrize(
    "field, typed, stored",
    [
        ("phone", "１３８１２３４５６７８", "13812345678"),
        ("phone", "138 １２３４ ５６７８", "13812345678"),
        ("id_number", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
    ],
)
def test_numbers_typed_full_width_are_stored_in_ascii(field, typed, stored):
    assert VISITOR_FIELDS[field](typed, POLICY) == stored
