"""The supplies workbook, read back with openpyxl: its sheets, print layout, and text that
looks like a formula kept as text."""

import datetime as dt
import uuid
from io import BytesIO

from openpyxl import load_workbook

from server.supplies.export import workbook

TODAY = dt.date(2026, 3, 9)
ITEM = {
    "id": uuid.uuid4(),
    "name": "医用外科口罩",
    "unit": "只",
    "low_stock": 100,
    "balance": 80,
    "used_recently": 140,
    "days_left": 4,
    "state": "low",
}


def line(kind, quantity, **fields):
    return {
        "kind": kind,
        "quantity": quantity,
        "day": TODAY,
        "item_name": "医用外科口罩",
        "unit": "只",
        "supplier": "",
        "cost_fen": None,
        "department_name": None,
        "person_name": None,
        "receiver": "",
        "reason": "",
        "recorded_by_name": "赵净",
        **fields,
    }


MOVEMENTS = [
    line("purchase", 500, supplier='=HYPERLINK("http://evil.example","x")', cost_fen=125050),
    line("issue", -20, department_name="办公室", person_name="王萍", receiver="+王萍"),
    line("issue", -30, department_name="档案室", receiver="@SUM(A1)", reason="-2+3"),
    line("adjustment", -370, reason="盘点"),
]


def read(locale="zh"):
    return load_workbook(BytesIO(workbook([ITEM], MOVEMENTS, TODAY, locale)))


def test_one_sheet_each_for_stock_purchases_issues_and_adjustments():
    book = read()
    assert book.sheetnames == ["库存", "采购记录", "领取记录", "调整记录"]
    stock = book["库存"]
    assert "2026-03-09" in stock["A1"].value
    assert [c.value for c in stock[3]] == ["医用外科口罩", "只", 80, 100, 140, 4, "偏低"]
    assert [c.value for c in read("en")["Stock"][2]][:3] == ["Item", "Unit", "Balance"]


def test_issue_sheet_is_the_receipt_record():
    issues = read()["领取记录"]
    rows = [[c.value for c in row] for row in issues.iter_rows(min_row=3)]
    assert rows[0][:5] == ["2026-03-09", "医用外科口罩", 20, "办公室 · 王萍", "+王萍"]
    assert rows[1][2:5] == [30, "档案室", "@SUM(A1)"]


def test_purchase_cost_is_a_number_in_yuan():
    cost = read()["采购记录"]["E3"]
    assert cost.value == 1250.5 and cost.number_format == "#,##0.00"
    assert read()["调整记录"]["C3"].value == -370


def test_text_starting_like_a_formula_stays_text():
    book = read()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    supplier = book["采购记录"]["D3"]
    assert supplier.value.startswith("=HYPERLINK") and supplier.data_type == "s"
    assert supplier.quotePrefix
    receiver = book["领取记录"]["E4"]
    assert receiver.value == "@SUM(A1)" and receiver.quotePrefix
    assert book["领取记录"]["F4"].quotePrefix  # "-2+3"
    assert not book["领取记录"]["B3"].quotePrefix


def test_laid_out_for_printing_on_a4():
    for sheet in read().worksheets:
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.freeze_panes == "A3"
        assert sheet["A2"].font.b
