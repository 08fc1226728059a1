"""The stock ledger on the real database: idempotent entries, refusals, audit, concurrency,
the overview, and the balance as a property over any sequence of movements."""

import asyncio
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import demo
from server.audit import service as audit
from server.audit.service import Actor
from server.checks.rules import Invalid
from server.org.tables import Department
from server.supplies import service
from server.supplies.tables import MovementKind as K
from server.supplies.tables import StockMovement
from sync.ids import new_entry_id
from tests.support import reset_database

OFFICE = Actor(username="office-test")
TODAY = dt.date(2026, 3, 9)


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)


@pytest.fixture(scope="module")
async def department() -> int:
    return (await Department.select(Department.id).where(Department.name == "办公室").first())["id"]


async def new_item(name: str, low: int = 0) -> dict:
    form = {"name": name, "unit": "只", "low_stock": str(low)}
    return (await service.create_item(new_entry_id(), form, OFFICE)).row


def form_for(kind: K, quantity: int, department: int, day: dt.date = TODAY) -> dict:
    return {
        K.purchase: {"quantity": str(quantity), "supplier": "医药公司", "cost": "10.5"},
        K.issue: {"quantity": str(quantity), "department": str(department), "receiver": "王萍"},
        K.adjustment: {"quantity": str(quantity), "reason": "盘点"},
    }[kind] | {"day": day.isoformat()}


async def move(item, kind, quantity, department, day=TODAY, entry_id=None):
    form = form_for(kind, quantity, department, day)
    entry_id = entry_id or new_entry_id()
    return await service.record_movement(entry_id, item["id"], kind, form, OFFICE, TODAY)


async def test_a_resubmitted_purchase_is_stored_once_and_audited_once(department):
    item = await new_item("医用外科口罩")
    entry = new_entry_id()
    first = await move(item, K.purchase, 500, department, entry_id=entry)
    again = await move(item, K.purchase, 500, department, entry_id=entry)
    assert first.created and not again.created
    assert await service.item_balance(item["id"]) == 500
    trail = await audit.history("stock_movement", entry)
    assert [t["action"] for t in trail] == ["create"]
    assert trail[0]["after"]["cost_fen"] == 1050 and trail[0]["actor"] == "office-test"


async def test_an_issue_the_stock_cannot_cover_is_refused_and_stores_nothing(department):
    item = await new_item("一次性手套")
    await move(item, K.purchase, 10, department)
    with pytest.raises(Invalid) as refused:
        await move(item, K.issue, 11, department)
    assert refused.value.problems[0].params["balance"] == 10
    assert await StockMovement.count().where(StockMovement.item == item["id"]) == 1
    await move(item, K.issue, 10, department)
    assert await service.item_balance(item["id"]) == 0


async def test_an_adjustment_corrects_the_count_with_its_reason_but_not_below_zero(department):
    item = await new_item("75%酒精")
    await move(item, K.purchase, 20, department)
    with pytest.raises(Invalid) as refused:
        await move(item, K.adjustment, -25, department)  # a count cannot find −5 bottles
    assert refused.value.problems[0].params["balance"] == 20
    await move(item, K.adjustment, -15, department)
    assert await service.item_balance(item["id"]) == 5
    ledger = await service.ledger(item["id"])
    assert [(m["kind"], m["balance_after"], m["reason"]) for m in ledger][0] == (
        "adjustment",
        5,
        "盘点",
    )


async def test_a_backdated_issue_is_checked_against_the_balance_on_its_day(department):
    """护目镜: 20 bought on one day; 15 issued a month before it would show −15 that day."""
    item = await new_item("护目镜")
    await move(item, K.purchase, 20, department, day=TODAY - dt.timedelta(days=5))
    with pytest.raises(Invalid) as refused:
        await move(item, K.issue, 15, department, day=TODAY - dt.timedelta(days=30))
    params = refused.value.problems[0].params
    assert (params["balance"], params["day"]) == (0, (TODAY - dt.timedelta(days=30)).isoformat())
    await move(item, K.issue, 15, department, day=TODAY - dt.timedelta(days=1))
    with pytest.raises(Invalid) as refused:  # would take what the later issue already took
        await move(item, K.issue, 6, department, day=TODAY - dt.timedelta(days=3))
    params = refused.value.problems[0].params
    assert (params["balance"], params["day"]) == (5, (TODAY - dt.timedelta(days=1)).isoformat())
    await move(item, K.issue, 5, department, day=TODAY - dt.timedelta(days=3))
    balances = [m["balance_after"] for m in await service.ledger(item["id"])]
    assert balances == [0, 15, 20]


async def test_two_issues_at_once_cannot_both_spend_the_last_boxes(department):
    item = await new_item("84消毒液")
    await move(item, K.purchase, 6, department)
    results = await asyncio.gather(
        *[move(item, K.issue, 4, department) for _ in range(3)], return_exceptions=True
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, Invalid) for r in results if isinstance(r, Exception))
    assert await service.item_balance(item["id"]) == 2


async def test_an_unknown_item_or_recipient_is_refused(department):
    item = await new_item("额温枪")
    with pytest.raises(LookupError):
        await service.record_movement(
            new_entry_id(), new_entry_id(), K.purchase, form_for(K.purchase, 1, 0), OFFICE, TODAY
        )
    with pytest.raises(Invalid):
        await move(item, K.issue, 1, 999_999)


async def test_item_names_are_unique_and_the_unit_stays(department):
    item = await new_item("防护服")
    with pytest.raises(Invalid):
        await new_item("防护服")
    changed = await service.update_item(
        item["id"], {"name": "医用防护服", "unit": "件", "low_stock": "5"}, OFFICE
    )
    assert (changed["name"], changed["unit"], changed["low_stock"]) == ("医用防护服", "只", 5)


async def test_overview_low_stock_and_days_left_at_last_weeks_use(department):
    item = await new_item("N95口罩", low=100)
    await move(item, K.purchase, 300, department, day=TODAY - dt.timedelta(days=20))
    await move(item, K.issue, 100, department, day=TODAY - dt.timedelta(days=10))  # too old
    await move(item, K.issue, 70, department, day=TODAY - dt.timedelta(days=6))
    await move(item, K.issue, 35, department, day=TODAY)
    row = next(r for r in await service.overview(TODAY) if r["id"] == item["id"])
    assert (row["balance"], row["used_recently"], row["state"]) == (95, 105, "low")
    assert row["days_left"] == 6  # 95 left at 15 a day


async def test_days_left_for_an_item_in_use_for_only_a_few_days(department):
    item = await new_item("新到酒精棉片")
    await move(item, K.purchase, 100, department, day=TODAY - dt.timedelta(days=2))
    await move(item, K.issue, 10, department, day=TODAY - dt.timedelta(days=1))
    await move(item, K.issue, 10, department, day=TODAY)
    row = await service.item_overview(item["id"], TODAY)
    assert (row["balance"], row["used_recently"]) == (80, 20)
    assert row["days_left"] == 8  # 10 a day over the two days in use, not 20 a week


quantities = st.lists(
    st.tuples(st.sampled_from(list(K)), st.integers(min_value=-40, max_value=60)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=quantities)
async def test_property_the_stored_balance_is_the_sum_and_never_negative(moves):
    """Any sequence through the real service: refused entries store nothing, the balance is
    the sum of the stored lines, and no line ever leaves it below zero."""
    department = (await Department.select(Department.id).first())["id"]
    item = await new_item(f"物品-{new_entry_id()}"[:50])
    expected = 0
    for kind, number in moves:
        if number == 0 or (kind != K.adjustment and number < 0):
            number = abs(number) or 1
        try:
            await move(item, kind, number, department)
        except Invalid:
            taken = number if kind == K.issue else -number
            assert kind != K.purchase and expected - taken < 0
            continue
        expected += -number if kind == K.issue else number
    assert await service.item_balance(item["id"]) == expected
    ledger = await service.ledger(item["id"])
    assert sum(m["quantity"] for m in ledger) == expected
    assert all(line["balance_after"] >= 0 for line in ledger)
