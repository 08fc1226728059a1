"""The district report as files: an Excel workbook with one sheet per day, laid out to print
(title, header row, widths, print area, landscape, one page wide), and a CSV of the whole
range in UTF-8 with a BOM, streamed a day at a time. Cells are Excel-safe (server/exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from io import BytesIO

from openpyxl import Workbook

from server import clock
from server.exports import UTF8_BOM, csv_line, table_sheet
from server.i18n import N_, aside, listed, translate
from server.reports import labels
from server.reports.tables import COUNT_FIELDS, ReportKind

HEADERS = [
    N_("Department"),
    N_("Round"),
    N_("State"),
    N_("Staff"),
    *labels.COUNTS.values(),
    N_("Submitted by"),
    N_("Submitted at"),
    N_("Note"),
    N_("Differs from the records"),
]
COUNT_COLUMNS = range(5, 5 + len(COUNT_FIELDS))  # 1-based, after the four leading columns


def headers(locale: str) -> list[str]:
    return [translate(locale, h) for h in HEADERS]


def _submitted_by(locale: str, report: dict) -> str:
    if report["on_behalf"]:
        return aside(locale, report["submitted_by"], translate(locale, labels.ON_BEHALF))
    return report["submitted_by"]


def row_values(locale: str, row: dict, rounds: int) -> list:
    """One department's row: counts only when submitted (an empty cell is not a zero)."""
    report = row["report"]
    counts = [None] * len(COUNT_FIELDS)
    by = at = note = ""
    if report is not None:
        if report["kind"] == ReportKind.submitted:
            counts = [report[name] for name in COUNT_FIELDS]
        by = _submitted_by(locale, report)
        at = clock.local(report["submitted_at"]).strftime("%Y-%m-%d %H:%M")
        note = report["note"]
    mismatch = listed(locale, (translate(locale, labels.COUNTS[name]) for name in row["mismatch"]))
    return [
        row["name"],
        labels.round_label(locale, row["round"], rounds),
        labels.state_label(locale, row),
        row["staff"],
        *counts,
        by,
        at,
        note,
        mismatch,
    ]


def total_values(locale: str, round_: str, rounds: int, totals: dict) -> list:
    states = " ".join(
        f"{translate(locale, label)} {totals[state]}"
        for state, label in labels.STATES.items()
        if totals[state]
    )
    return [
        translate(locale, N_("Total")),
        labels.round_label(locale, round_, rounds),
        states,
        None,
        *(totals[name] for name in COUNT_FIELDS),
        "",
        "",
        "",
        str(totals["mismatch"] or ""),
    ]


def day_values(locale: str, report: dict) -> list[list]:
    """A day's rows then its totals, one per round."""
    rounds = len(report["rounds"])
    values = [row_values(locale, row, rounds) for row in report["rows"]]
    for round_ in report["rounds"]:
        values.append(total_values(locale, round_, rounds, report["totals"][round_]))
    return values


def heading(locale: str, day: dt.date) -> str:
    return translate(
        locale, N_("Daily zero report of the bureau: %(day)s"), {"day": day.isoformat()}
    )


def workbook(locale: str, reports: list[dict]) -> bytes:
    """The .xlsx bytes: one sheet per day, landscape, one page wide."""
    book = Workbook()
    book.remove(book.active)
    for report in reports:
        day = report["day"]
        table_sheet(
            book,
            day.isoformat(),
            heading(locale, day),
            headers(locale),
            day_values(locale, report),
            landscape=True,
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


async def csv_chunks(locale: str, reports: AsyncIterator[dict]) -> AsyncIterator[bytes]:
    """The CSV, a day at a time: the BOM and header first, then each day's lines."""
    yield (UTF8_BOM + csv_line([translate(locale, N_("Date")), *headers(locale)])).encode()
    async for report in reports:
        day = report["day"].isoformat()
        lines = [csv_line([day, *values]) for values in day_values(locale, report)]
        yield "".join(lines).encode()
