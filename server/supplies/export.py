"""The supplies workbook (Excel): the stock overview, purchases, issues (领取记录) and
adjustments, one sheet each, laid out to print on A4; cells made Excel-safe by
server/exports."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import Workbook

from server.exports import table_sheet
from server.i18n import N_, translate
from server.supplies.tables import MovementKind

NUMBER_FORMATS = {"cost": "#,##0.00"}
STATES = {"ok": N_("Enough"), "low": N_("Low"), "out": N_("Out of stock")}

STOCK_COLUMNS = [
    (N_("Item"), "name"),
    (N_("Unit"), "unit"),
    (N_("Balance"), "balance"),
    (N_("Low-stock level"), "low_stock"),
    (N_("Issued in the last 7 days"), "used_recently"),
    (N_("Days left"), "days_left"),
    (N_("State"), "state_label"),
]
SHARED = [(N_("Date"), "day"), (N_("Item"), "item_name"), (N_("Quantity"), "amount")]
RECORDED = [(N_("Recorded by"), "recorded_by_name")]
SHEETS = [
    (
        MovementKind.purchase,
        N_("Purchases"),
        [*SHARED, (N_("Supplier"), "supplier"), (N_("Cost (yuan)"), "cost"), *RECORDED],
    ),
    (
        MovementKind.issue,
        N_("Issues"),
        [
            *SHARED,
            (N_("Department or person"), "recipient"),
            (N_("Received by"), "receiver"),
            (N_("Note"), "reason"),
            *RECORDED,
        ],
    ),
    (
        MovementKind.adjustment,
        N_("Adjustments"),
        [*SHARED, (N_("Reason"), "reason"), *RECORDED],
    ),
]


def _sheet(book: Workbook, title: str, heading: str, columns, rows, locale: str) -> None:
    headers = [translate(locale, label) for label, _ in columns]
    formats = {
        i: NUMBER_FORMATS[key] for i, (_, key) in enumerate(columns, 1) if key in NUMBER_FORMATS
    }
    values = [[row.get(key) for _, key in columns] for row in rows]
    table_sheet(book, title, heading, headers, values, number_formats=formats)


def _movement_row(row: dict) -> dict:
    recipient = " · ".join(n for n in (row["department_name"], row["person_name"]) if n)
    return {
        **row,
        # Purchases and issues show how many; an adjustment keeps its sign.
        "amount": row["quantity"]
        if row["kind"] == MovementKind.adjustment
        else abs(row["quantity"]),
        "cost": None if row["cost_fen"] is None else row["cost_fen"] / 100,
        "recipient": recipient,
        "day": row["day"].isoformat(),
    }


def workbook(items: list[dict], movements: list[dict], today: dt.date, locale: str) -> bytes:
    """The whole workbook as .xlsx bytes."""
    book = Workbook()
    book.remove(book.active)
    stamp = today.isoformat()
    stock_rows = [{**i, "state_label": translate(locale, STATES[i["state"]])} for i in items]
    title = translate(locale, N_("Stock"))
    heading = translate(locale, N_("Prevention supplies: stock on %(day)s"), {"day": stamp})
    _sheet(book, title, heading, STOCK_COLUMNS, stock_rows, locale)
    for kind, label, columns in SHEETS:
        rows = [_movement_row(m) for m in movements if m["kind"] == kind]
        title = translate(locale, label)
        params = {"what": title, "day": stamp}
        heading = translate(locale, N_("Prevention supplies: %(what)s, as of %(day)s"), params)
        _sheet(book, title, heading, columns, rows, locale)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
