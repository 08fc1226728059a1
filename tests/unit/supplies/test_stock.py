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


def day(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_an_issue_beyond_the_stock_is_refused_with_what_is_left_that_day():
    ledger = [(day(3), 20)]
    with pytest.raises(Invalid) as refused:
        stock.check_movement(ledger, K.issue, day(1), -21, "只")
    problem = refused.value.problems[0]
    assert problem.field == "quantity"
    assert problem.params == {"balance": 20, "unit": "只", "day": day(1).isoformat()}
    stock.check_movement(ledger, K.issue, day(1), -20)


def test_an_issue_dated_before_the_stock_existed_is_refused():
    """护目镜: 20 bought on one day, 15 issued a month earlier would leave −15 that day."""
    with pytest.raises(Invalid) as refused:
        stock.check_movement([(day(0), 20)], K.issue, day(30), -15, "副")
    assert refused.value.problems[0].params == {
        "balance": 0,
        "unit": "副",
        "day": day(30).isoformat(),
    }
    assert "later" not in refused.value.problems[0].message


def test_an_issue_may_not_spend_what_a_later_entry_already_took():
    ledger = [(day(5), 20), (day(2), -15)]
    assert stock.lowest_from(ledger, day(4)) == (day(2), 5)
    with pytest.raises(Invalid) as refused:
        stock.check_movement(ledger, K.issue, day(4), -10, "只")
    problem = refused.value.problems[0]
    assert problem.params == {"balance": 5, "unit": "只", "day": day(2).isoformat()}
    assert "later" in problem.message
    stock.check_movement(ledger, K.issue, day(4), -5)


def test_the_same_days_entries_count_before_the_new_one():
    ledger = [(day(1), 10), (day(1), -4), (day(0), 3)]
    assert stock.lowest_from(ledger, day(1)) == (day(1), 6)
    assert stock.lowest_from(ledger, day(2)) == (day(2), 0)
    assert stock.lowest_from([], TODAY) == (TODAY, 0)


def test_a_count_cannot_take_stock_below_zero_and_a_purchase_is_always_taken():
    with pytest.raises(Invalid) as refused:
        stock.check_movement([(day(3), 5)], K.adjustment, day(0), -8, "只")
    assert "count" in refused.value.problems[0].message
    stock.check_movement([(day(3), 5)], K.adjustment, day(0), -5)
    stock.check_movement([(day(3), 5), (day(1), -9)], K.purchase, day(0), 2)  # an old minus
    with pytest.raises(Invalid) as refused:
        stock.check_movement([(day(3), 5), (day(1), -9)], K.issue, day(0), -1)
    assert refused.value.problems[0].params["balance"] == 0


@pytest.mark.parametrize(
    "balance, low, state",
    [(0, 10, "out"), (-2, 0, "out"), (10, 10, "low"), (11, 10, "ok"), (1, 0, "ok")],
)
def test_stock_state(balance, low, state):
    assert stock.stock_state(balance, low) == state


@pytest.mark.parametrize(
    "balance, low, days_left, state",
    [
        (17, 10, 2, "low"),  # above its level, but two days of stock
        (17, 10, stock.RESTOCK_DAYS - 1, "low"),
        (17, 10, stock.RESTOCK_DAYS, "ok"),
        (17, 10, None, "ok"),  # nothing issued lately: no rate to run out at
        (0, 10, 0, "out"),
    ],
)
def test_stock_that_will_not_last_until_a_restock_is_low(balance, low, days_left, state):
    assert stock.stock_state(balance, low, days_left) == state


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


@pytest.mark.parametrize(
    "first_issue, in_use",
    [
        (TODAY, 1),  # first issued today: one day of use, not seven
        (TODAY - dt.timedelta(days=2), 3),
        (TODAY - dt.timedelta(days=6), 7),
        (TODAY - dt.timedelta(days=40), 7),  # in use long before the window: all of it
        (None, 1),
    ],
)
def test_days_in_use_within_the_window(first_issue, in_use):
    assert stock.days_in_use(first_issue, TODAY) == in_use


def test_days_left_divides_by_the_days_in_use():
    assert stock.days_left(90, 10, days_in_use=1) == 9  # 10 a day, not 10 a week
    assert stock.days_left(100, 30, days_in_use=3) == 10
    assert stock.days_left(100, 70) == 10  # a whole week by default


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


@given(st.lists(st.tuples(movement, st.integers(0, 9), st.booleans()), max_size=40))
def test_the_ledger_never_goes_below_zero_on_any_day(moves):
    """Fold any sequence of dated entries through the rule: what is accepted never leaves
    the running balance below zero on any day of the ledger, whatever order they came in."""
    ledger: list[tuple[dt.date, int]] = []
    for (kind, amount), back, negative in moves:
        when = day(back)
        quantity = {K.purchase: amount, K.issue: -amount}.get(kind, -amount if negative else amount)
        try:
            stock.check_movement(ledger, kind, when, quantity)
        except Invalid:
            assert kind != K.purchase and min(running_balances(ledger + [(when, quantity)])) < 0
            continue
        ledger.append((when, quantity))
        assert min(running_balances(ledger)) >= 0
        assert running_balances(ledger)[-1] == stock.balance(q for _, q in ledger)


def running_balances(ledger: list[tuple[dt.date, int]]) -> list[int]:
    """The balance after each line, in ledger order (by day; a day's lines as entered)."""
    balances, running = [], 0
    for _, quantity in sorted(ledger, key=lambda line: line[0]):
        running += quantity
        balances.append(running)
    return balances
