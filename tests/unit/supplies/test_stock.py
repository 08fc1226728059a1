"""The stock rules as pure functions, and the ledger's invariant as a property."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.checks.rules import Invalid
from server.supplies import stock
from server.supplies.tables import MovementKind as K

TODAY = dt.date(2026, 3, 2)


def test_balance_is_the_sum_of_the_movements():
    assert stock.balance([500, -120, -30, 10]) == 360
    assert stock.balance([]) == 0


def test_an_issue_beyond_the_stock_is_refused_with_what_is_left():
    with pytest.raises(Invalid) as refused:
        stock.next_balance(20, K.issue, -21, "只")
    problem = refused.value.problems[0]
    assert problem.field == "quantity"
    assert problem.params == {"balance": 20, "unit": "只"}
    assert stock.next_balance(20, K.issue, -20) == 0


def test_only_an_adjustment_may_go_below_zero_and_a_purchase_is_always_taken():
    assert stock.next_balance(5, K.adjustment, -8) == -3
    assert stock.next_balance(-3, K.purchase, 2) == -1
    with pytest.raises(Invalid):
        stock.next_balance(-1, K.issue, -1)


@pytest.mark.parametrize(
    "balance, low, state",
    [(0, 10, "out"), (-2, 0, "out"), (10, 10, "low"), (11, 10, "ok"), (1, 0, "ok")],
)
def test_stock_state(balance, low, state):
    assert stock.stock_state(balance, low) == state


@pytest.mark.parametrize(
    "balance, used, days",
    [
        (100, 70, 10),  # 10 a day
        (100, 30, 23),  # 4.28 a day: 23.3 days, rounded down
        (5, 70, 0),  # less than a day left
        (0, 70, 0),
        (-4, 0, 0),
        (100, 0, None),  # nothing used: no rate to project from
    ],
)
def test_days_left_at_last_weeks_rate(balance, used, days):
    assert stock.days_left(balance, used) == days


@pytest.mark.parametrize("text", ["", "abc", "1.5", "0", "-3", "1000001"])
def test_bad_quantities(text):
    with pytest.raises(Invalid):
        stock.parse_quantity(text)


def test_adjustments_are_signed_and_never_zero():
    assert stock.parse_quantity("-12", signed=True) == -12
    assert stock.parse_quantity(" 3 ", signed=True) == 3
    with pytest.raises(Invalid):
        stock.parse_quantity("0", signed=True)


@pytest.mark.parametrize(
    "text, fen", [("", None), ("12", 1200), ("12.5", 1250), ("1,250.05", 125005), ("¥0.3", 30)]
)
def test_cost_in_fen(text, fen):
    assert stock.parse_cost(text) == fen


@pytest.mark.parametrize("text", ["abc", "1.234", "-5"])
def test_bad_costs(text):
    with pytest.raises(Invalid):
        stock.parse_cost(text)


def test_day_defaults_to_today_and_cannot_be_in_the_future():
    assert stock.parse_day("", TODAY) == TODAY
    assert stock.parse_day("2026-03-01", TODAY) == dt.date(2026, 3, 1)
    with pytest.raises(Invalid):
        stock.parse_day("2026-03-03", TODAY)


def test_an_issue_needs_a_recipient_and_who_received_it():
    with pytest.raises(Invalid) as refused:
        stock.clean_movement(K.issue, {"quantity": "5"}, TODAY)
    assert {p.field for p in refused.value.problems} == {"recipient", "receiver"}
    fields = stock.clean_movement(
        K.issue, {"quantity": "5", "department": "3", "receiver": "王萍"}, TODAY
    )
    assert (fields["quantity"], fields["department"], fields["receiver"]) == (-5, 3, "王萍")


def test_a_purchase_needs_a_supplier_and_an_adjustment_a_reason():
    with pytest.raises(Invalid) as refused:
        stock.clean_movement(K.purchase, {"quantity": "x", "cost": "y"}, TODAY)
    assert {p.field for p in refused.value.problems} == {"quantity", "cost", "supplier"}
    with pytest.raises(Invalid) as refused:
        stock.clean_movement(K.adjustment, {"quantity": "-2"}, TODAY)
    assert [p.field for p in refused.value.problems] == ["reason"]


movement = st.tuples(st.sampled_from(list(K)), st.integers(min_value=1, max_value=500))


@given(st.lists(movement, max_size=60), st.lists(st.booleans(), max_size=60))
def test_the_ledger_invariant_for_any_sequence(moves, signs):
    """Fold any sequence through the rule: the balance is always the sum of what was
    accepted, and it is below zero only after an adjustment took it there."""
    current, accepted, adjusted_below = 0, [], False
    for (kind, amount), negative in zip(moves, signs + [False] * len(moves), strict=False):
        quantity = {K.purchase: amount, K.issue: -amount}.get(kind, -amount if negative else amount)
        try:
            current = stock.next_balance(current, kind, quantity)
        except Invalid:
            assert kind == K.issue and current + quantity < 0
            continue
        accepted.append(quantity)
        if current < 0 and quantity < 0:
            assert kind == K.adjustment
            adjusted_below = True
        assert current == stock.balance(accepted)
        assert current >= 0 or adjusted_below
