"""Supplies through HTTP as the office: items, the movement widget (htmx and plain forms),
refusals, resubmission, the overview's low-stock alert, and the Excel export."""

import datetime as dt
from io import BytesIO

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from server import clock
from server.supplies.tables import StockMovement, SupplyItem
from tests.support import csrf_from

HTMX = {"hx-request": "true", "accept-language": "en"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
async def office(client_as):
    async with client_as("office") as client:
        page = await client.get("/office/supplies/")
        client.headers["x-csrftoken"] = csrf_from(page.text)
        yield client


async def add_item(client, name: str, low: int = 0) -> str:
    page = soup(await client.get("/office/supplies/"))
    entry = page.select_one('#new-item input[name="entry_id"]')["value"]
    form = {"entry_id": entry, "name": name, "unit": "只", "low_stock": str(low)}
    response = await client.post("/office/supplies/", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return response.headers["location"]


def movement_form(page: BeautifulSoup, kind: str, **fields) -> tuple[str, dict]:
    form = page.select_one(f"#form-{kind} form")
    values = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    return form["hx-post"], {**values, **fields}


async def test_office_adds_an_item_then_records_a_purchase_with_htmx(office):
    url = await add_item(office, "医用外科口罩", low=100)
    page = soup(await office.get(url))
    assert page.select_one("#movements .balance").text.split()[0] == "0"
    action, form = movement_form(page, "purchase", quantity="500", supplier="医药公司", cost="625")
    response = await office.post(action, data=form, headers=HTMX)
    assert response.status_code == 200 and response.headers["vary"] == "HX-Request"
    assert "<html" not in response.text
    widget = soup(response)
    assert widget.select_one("#movements .balance strong").text == "500 只"
    assert widget.select_one("#form-purchase .alert.ok") is not None
    new_entry = widget.select_one('#form-purchase input[name="entry_id"]')["value"]
    assert new_entry != form["entry_id"]
    assert widget.select_one(".ledger tbody tr .quantity").text == "+500"


async def test_a_resubmitted_issue_is_stored_once(office):
    url = await add_item(office, "一次性手套")
    page = soup(await office.get(url))
    action, form = movement_form(page, "purchase", quantity="50", supplier="超市")
    await office.post(action, data=form, headers=HTMX)
    page = soup(await office.get(url))
    department = page.select_one('#form-issue select[name="department"] option[value!=""]')
    action, form = movement_form(
        page, "issue", quantity="20", department=department["value"], receiver="王萍"
    )
    for _ in range(3):
        assert (await office.post(action, data=form, headers=HTMX)).status_code == 200
    assert await StockMovement.count().where(StockMovement.id == form["entry_id"]) == 1
    assert soup(await office.get(url)).select_one("#movements .balance strong").text == "30 只"


async def test_an_issue_beyond_the_stock_is_refused_with_a_message_and_keeps_the_form(office):
    url = await add_item(office, "75%酒精")
    page = soup(await office.get(url))
    department = page.select_one('#form-issue select[name="department"] option[value!=""]')
    action, form = movement_form(
        page, "issue", quantity="5", department=department["value"], receiver="张三"
    )
    response = await office.post(action, data=form, headers=HTMX)
    assert response.status_code == 422
    widget = soup(response)
    said = widget.select_one("#form-issue #quantity-error").text
    assert said == f"As of {clock.today()}, only 0 只 are in stock: issue at most that many."
    assert widget.select_one('#form-issue input[name="receiver"]')["value"] == "张三"
    assert widget.select_one('#form-issue input[name="entry_id"]')["value"] == form["entry_id"]
    chinese = await office.post(action, data=form, headers={"hx-request": "true"})
    message = soup(chinese).select_one("#quantity-error").text
    assert message == f"截至 {clock.today()}，库存仅有 0 只，发放数量不能超过此数。"
    assert await StockMovement.count().where(StockMovement.id == form["entry_id"]) == 0


async def test_without_javascript_a_movement_redirects_and_errors_answer_the_page(office):
    url = await add_item(office, "84消毒液")
    page = soup(await office.get(url))
    action, form = movement_form(page, "adjustment", quantity="12")
    refused = await office.post(action, data=form)
    assert refused.status_code == 422 and "<html" in refused.text
    assert soup(refused).select_one("#form-adjustment #reason-error") is not None
    form["reason"] = "盘点"
    done = await office.post(action, data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == url


async def test_the_overview_alerts_low_stock_and_shows_days_left(office):
    url = await add_item(office, "N95口罩", low=50)
    page = soup(await office.get(url))
    action, form = movement_form(page, "purchase", quantity="100", supplier="医药公司")
    await office.post(action, data=form, headers=HTMX)
    page = soup(await office.get(url))
    department = page.select_one('#form-issue select[name="department"] option[value!=""]')
    action, form = movement_form(
        page, "issue", quantity="70", department=department["value"], receiver="王萍"
    )
    await office.post(action, data=form, headers=HTMX)
    overview = soup(await office.get("/office/supplies/", headers={"accept-language": "en"}))
    assert "N95口罩" in overview.select_one("#low-stock").text
    row = next(r for r in overview.select("#stock tbody tr") if "N95口罩" in r.text)
    assert "stock-low" in row["class"]
    # 30 left after 70 went today, its first day in use: less than a day at that rate
    assert row.select_one(".days-left").text.strip() == "0 days"


async def test_bad_item_form_answers_422_and_a_duplicate_name_is_refused(office):
    await add_item(office, "额温枪")
    page = soup(await office.get("/office/supplies/"))
    entry = page.select_one('#new-item input[name="entry_id"]')["value"]
    response = await office.post(
        "/office/supplies/",
        data={"entry_id": entry, "name": "额温枪", "unit": "", "low_stock": "x"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    form = soup(response).select_one("#new-item")
    assert {e["id"] for e in form.select(".field-error")} == {"unit-error", "low_stock-error"}
    response = await office.post(
        "/office/supplies/", data={"entry_id": entry, "name": "额温枪", "unit": "支"}
    )
    assert response.status_code == 422
    assert await SupplyItem.count().where(SupplyItem.name == "额温枪") == 1


async def test_renaming_keeps_the_unit(office):
    url = await add_item(office, "防护服")
    response = await office.post(
        f"{url}/edit", data={"name": "医用防护服", "unit": "件", "low_stock": "3"}
    )
    assert response.status_code == 200
    item = await SupplyItem.select().where(SupplyItem.name == "医用防护服").first()
    assert (item["unit"], item["low_stock"]) == ("只", 3)


async def test_unknown_item_is_404(office):
    missing = "/office/supplies/00000000-0000-7000-8000-000000000000"
    assert (await office.get(missing)).status_code == 404
    response = await office.post(f"{missing}/movements", data={"kind": "purchase"})
    assert response.status_code in (404, 422)


async def test_excel_export_reads_back(client_as):
    async with client_as("leader") as leader:
        response = await leader.get("/office/supplies/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["库存", "采购记录", "领取记录", "调整记录"]
    names = [row[0].value for row in book["库存"].iter_rows(min_row=3)]
    assert "医用外科口罩" in names
    issued = [row[4].value for row in book["领取记录"].iter_rows(min_row=3)]
    assert "王萍" in issued


async def test_a_refused_rename_keeps_what_was_typed(office):
    url = await add_item(office, "手消毒凝胶", low=5)
    response = await office.post(
        f"{url}/edit",
        data={"name": "免洗手消毒凝胶", "unit": "只", "low_stock": "十"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    form = soup(response).select_one(f'form[action="{url}/edit"]')
    assert form.select_one('input[name="name"]')["value"] == "免洗手消毒凝胶"
    assert form.select_one('input[name="low_stock"]')["value"] == "十"
    assert form.select_one("#low_stock-error") is not None
    await add_item(office, "已有名称")
    clash = await office.post(f"{url}/edit", data={"name": "已有名称", "low_stock": "8"})
    assert clash.status_code == 422
    form = soup(clash).select_one(f'form[action="{url}/edit"]')
    assert form.select_one('input[name="name"]')["value"] == "已有名称"
    assert form.select_one('input[name="low_stock"]')["value"] == "8"
    item = await SupplyItem.select().where(SupplyItem.name == "手消毒凝胶").first()
    assert item["low_stock"] == 5


def days_ago(n: int) -> str:
    return (clock.today() - dt.timedelta(days=n)).isoformat()


async def issue_form(client, url: str, quantity: int, day: str) -> tuple[str, dict]:
    page = soup(await client.get(url))
    department = page.select_one('#form-issue select[name="department"] option[value!=""]')
    return movement_form(
        page, "issue", quantity=str(quantity), day=day, department=department["value"],
        receiver="王萍",
    )  # fmt: skip


async def record(client, url: str, kind: str, **fields):
    if kind == "issue":
        action, form = await issue_form(client, url, fields.pop("quantity"), fields.pop("day"))
    else:
        action, form = movement_form(soup(await client.get(url)), kind, **fields)
    return await client.post(action, data=form, headers=HTMX)


async def test_an_issue_dated_before_the_stock_existed_is_refused_naming_that_day(office):
    url = await add_item(office, "护目镜")
    bought = await record(
        office, url, "purchase", quantity="20", supplier="医药公司", day=days_ago(5)
    )
    assert bought.status_code == 200
    early = await record(office, url, "issue", quantity=15, day=days_ago(30))
    assert early.status_code == 422
    error = soup(early).select_one("#form-issue #quantity-error").text
    assert f"As of {days_ago(30)}, only 0 只 are in stock" in error
    assert await StockMovement.count().where(StockMovement.quantity == -15) == 0
    assert (await record(office, url, "issue", quantity=15, day=days_ago(2))).status_code == 200
    # 20 on hand five days ago, but 15 of them went two days ago: only 5 may go in between
    between = await record(office, url, "issue", quantity=10, day=days_ago(4))
    assert between.status_code == 422
    error = soup(between).select_one("#form-issue #quantity-error").text
    assert days_ago(2) in error and "5 只" in error
    assert (await record(office, url, "issue", quantity=5, day=days_ago(4))).status_code == 200
    ledger = soup(await office.get(url)).select(".ledger tbody tr")
    assert [int(row.select("td")[3].text) for row in ledger] == [0, 15, 20]


async def test_a_count_cannot_take_stock_below_zero_and_says_which_way_it_went(office):
    url = await add_item(office, "乳胶手套")
    await record(office, url, "purchase", quantity="20", supplier="医药公司", day=days_ago(3))
    below = await record(office, url, "adjustment", quantity="-25", reason="盘点", day=days_ago(1))
    assert below.status_code == 422
    error = soup(below).select_one("#form-adjustment #quantity-error").text
    assert f"As of {days_ago(1)}, only 20 只 are in stock" in error
    before = await record(office, url, "adjustment", quantity="-5", reason="盘点", day=days_ago(4))
    assert before.status_code == 422  # nothing was there yet
    down = await record(office, url, "adjustment", quantity="-10", reason="盘点")
    assert down.status_code == 200
    assert (
        "Recorded: stock adjusted down by 10 只"
        in soup(down).select_one("#form-adjustment .alert.ok").text
    )
    up = await record(office, url, "adjustment", quantity="3", reason="盘点")
    assert (
        "Recorded: stock adjusted up by 3 只"
        in soup(up).select_one("#form-adjustment .alert.ok").text
    )
    action, form = movement_form(
        soup(await office.get(url)), "adjustment", quantity="-1", reason="盘点"
    )
    chinese = await office.post(action, data=form, headers={"hx-request": "true"})
    assert "调减" in soup(chinese).select_one("#form-adjustment .alert.ok").text


async def test_days_left_counts_only_the_days_in_use(office):
    url = await add_item(office, "新到口罩")
    await record(office, url, "purchase", quantity="100", supplier="医药公司")
    await record(office, url, "issue", quantity=10, day=days_ago(0))
    page = soup(await office.get(url, headers={"accept-language": "en"}))
    assert page.select_one("#movements .days-left").text.strip() == "9 days"  # 90 at 10 a day


async def test_stock_above_its_level_but_lasting_three_days_is_low_and_alerted(office):
    url = await add_item(office, "含氯消毒片", low=10)
    await record(office, url, "purchase", quantity="20", supplier="医药公司", day=days_ago(3))
    await record(office, url, "issue", quantity=4, day=days_ago(1))
    await record(office, url, "issue", quantity=4, day=days_ago(0))
    page = soup(await office.get("/office/supplies/"))
    row = next(r for r in page.select("#stock tbody tr") if "含氯消毒片" in r.text)
    # 12 left, above the level of 10, at 4 a day: 3 days
    assert row.select_one(".balance").text == "12 只"
    assert row.select_one(".days-left").text.strip() == "3 天"
    assert "stock-low" in row["class"] and row.select(".status")[0].text == "偏低"
    assert "含氯消毒片" in page.select_one("#low-stock").text
