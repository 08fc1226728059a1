"""The office's lists as files: the visitor register (来访人员登记表) that the plan's 登记 keeps
and the district CDC asks for in contact tracing, and the staff checks (上下班检测). Phone and
ID numbers are masked unless the export asked for full ones (office and leaders); every
file carries a watermark naming who exported it and when. Cells are Excel-safe
(server/exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook

from server import clock
from server.checks.labels import DIRECTION_LABELS, STATUS_LABELS, SYMPTOM_LABELS
from server.checks.queries import CheckFilter
from server.exports import UTF8_BOM, csv_line, table_sheet
from server.i18n import N_, aside, listed, translate
from server.privacy import mask_id_number, mask_phone

MAX_WORKBOOK_ROWS = 30_000  # building a workbook takes seconds per thousand rows; a CSV streams
TOO_MANY_FOR_A_WORKBOOK = N_(
    "%(rows)s rows: at most %(most)s fit in a workbook. Narrow the filter or take the CSV."
)

TIME, MOBILE, ID_NUMBER = N_("Time"), N_("Mobile"), N_("ID-card number")
TEMPERATURES = [N_("Temperature"), N_("Re-measured")]
RECORDED = [N_("Device"), N_("Recorded by")]
HEADERS = {
    "visitors": [
        N_("Time in"),
        N_("Time out"),
        N_("Name"),
        MOBILE,
        ID_NUMBER,
        N_("Window"),
        N_("Purpose"),
        *TEMPERATURES,
        N_("Symptoms"),
        N_("Travel or contact in 14 days"),
        N_("Status"),
        *RECORDED,
    ],
    "staff": [
        TIME,
        N_("Name"),
        N_("Department"),
        N_("When"),
        *TEMPERATURES,
        N_("Status"),
        *RECORDED,
    ],
}
HEADINGS = {
    "visitors": N_("Visitor register, %(days)s"),
    "staff": N_("Staff temperature checks, %(days)s"),
}
EXPORTED_BY = N_("Exported by %(who)s at %(when)s.")
MASKED_NOTE = N_("Phone and ID numbers are masked.")
FULL_NOTE = N_(
    "Contains full phone and ID numbers: for epidemic prevention work only, do not pass on."
)
# One sentence after another: English leaves a space, Chinese none after its 。
THEN = N_("%(sentence)s %(next)s")


@dataclass(frozen=True)
class Stamp:
    """The watermark's facts: who exported, when, and whether numbers are in full."""

    who: str
    at: dt.datetime
    full: bool

    def note(self, locale: str, tab: str) -> str:
        when = clock.local(self.at).strftime("%Y-%m-%d %H:%M")
        note = translate(locale, EXPORTED_BY, {"who": self.who, "when": when})
        then = FULL_NOTE if self.full else MASKED_NOTE if tab == "visitors" else None
        if then is None:
            return note
        return translate(locale, THEN, {"sentence": note, "next": translate(locale, then)})


def days_label(filt: CheckFilter) -> str:
    if filt.last_day == filt.day:
        return filt.day.isoformat()
    return f"{filt.day.isoformat()} – {filt.last_day.isoformat()}"


def filename(tab: str, filt: CheckFilter, full: bool, suffix: str) -> str:
    days = filt.day.isoformat()
    if filt.last_day != filt.day:
        days += f"-{filt.last_day.isoformat()}"
    return f"{tab}-{days}{'-full-numbers' if full else ''}.{suffix}"


def _moment(value: dt.datetime | None) -> str:
    return clock.local(value).strftime("%Y-%m-%d %H:%M") if value else ""


class Cells:
    """One export's rows as cell values, in its language, numbers masked unless `full`."""

    def __init__(self, locale: str, tab: str, full: bool):
        self.locale, self.full = locale, full
        self.values = self.visitor if tab == "visitors" else self.staff

    def word(self, msgid: str) -> str:
        return translate(self.locale, msgid)

    def symptoms(self, row: dict) -> str:
        words = listed(
            self.locale, [self.word(SYMPTOM_LABELS[c]) for c in row["symptoms"].split(",") if c]
        )
        return aside(self.locale, words, row["symptoms_other"]) if row["symptoms_other"] else words

    def visitor(self, row: dict) -> list:
        phone, id_number = row["phone"], row["id_number"]
        return [
            _moment(row["time_in"]),
            _moment(row["time_out"]),
            row["name"],
            phone if self.full else mask_phone(phone),
            id_number if self.full else mask_id_number(id_number),
            row["window_code"] or "",
            row["purpose"],
            row["temperature"],
            row["remeasure_temperature"],
            self.symptoms(row),
            self.word(N_("Yes") if row["travel_or_contact"] else N_("No")),
            self.word(STATUS_LABELS[row["status"]]),
            row["device"],
            row["recorded_by_name"] or "",
        ]

    def staff(self, row: dict) -> list:
        return [
            _moment(row["taken_at"]),
            row["person_name"],
            row["department_name"] or "",
            self.word(DIRECTION_LABELS[row["direction"]]),
            row["temperature"],
            row["remeasure_temperature"],
            self.word(STATUS_LABELS[row["status"]]),
            row["device"],
            row["recorded_by_name"] or "",
        ]


def headers(locale: str, tab: str) -> list[str]:
    return [translate(locale, h) for h in HEADERS[tab]]


def workbook(locale: str, tab: str, filt: CheckFilter, rows: list[dict], stamp: Stamp) -> bytes:
    """The .xlsx bytes: one sheet, the watermark under the heading and on every printed page."""
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = stamp.who
    cells = Cells(locale, tab, stamp.full)
    first_temperature = HEADERS[tab].index(TEMPERATURES[0]) + 1
    heading = translate(locale, HEADINGS[tab], {"days": days_label(filt)})
    table_sheet(
        book,
        days_label(filt).replace(" – ", "~"),
        heading,
        headers(locale, tab),
        [cells.values(row) for row in rows],
        number_formats={first_temperature: "0.0", first_temperature + 1: "0.0"},
        landscape=True,
        note=stamp.note(locale, tab),
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


async def csv_chunks(
    locale: str, tab: str, batches: AsyncIterator[list[dict]], stamp: Stamp
) -> AsyncIterator[bytes]:
    """The CSV, a batch of rows at a time: the BOM and the watermark line first, then the
    header row."""
    cells = Cells(locale, tab, stamp.full)
    yield (UTF8_BOM + csv_line([stamp.note(locale, tab)]) + csv_line(headers(locale, tab))).encode()
    async for batch in batches:
        yield "".join(csv_line(cells.values(row)) for row in batch).encode()
