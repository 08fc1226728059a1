"""What every export shares: Excel-safe cells (XLSX and CSV), column widths for Chinese text,
and a sheet laid out to print on A4.

Text typed into a form can start with = + - @ (or a tab or carriage return, which some
spreadsheets skip before reading a formula). In a workbook such a cell is written as text with
Excel's own text marker (quotePrefix, what typing a leading apostrophe stores), so it is never
run and the printed sheet still shows what was typed. A CSV has no such marker: the cell gets
a leading apostrophe, as OWASP's CSV-injection advice says."""

from __future__ import annotations

import csv
from copy import copy
from io import StringIO
from weakref import WeakKeyDictionary

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBE8")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
UTF8_BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with the BOM
# Per workbook, the style of a boxed cell (wrapped or not) once openpyxl has registered it.
_BOXED: WeakKeyDictionary[Workbook, dict[bool, StyleArray]] = WeakKeyDictionary()


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def put(sheet: Worksheet, row: int, column: int, value):
    """Write one boxed cell; text that a spreadsheet would run is stored as plain text."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    _box(cell, wrap=isinstance(value, str))
    if looks_like_formula(value):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True
    return cell


def _box(cell, *, wrap: bool) -> None:
    """Border and top alignment. Setting a style makes openpyxl hash every style object of
    the workbook, which on a sheet of tens of thousands of cells takes most of the time: the
    first cell of each kind registers it, the others copy its style ids."""
    known = _BOXED.setdefault(cell.parent.parent, {})
    if wrap in known:
        cell._style = copy(known[wrap])
        return
    cell.border = BOX
    cell.alignment = Alignment(vertical="top", wrap_text=wrap)
    known[wrap] = copy(cell._style)


def display_width(value) -> int:
    """Display width: a CJK character takes two columns."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def table_sheet(
    book: Workbook,
    title: str,
    heading: str,
    headers: list[str],
    rows: list[list],
    *,
    number_formats: dict[int, str] | None = None,
    landscape: bool | None = None,
    note: str = "",
) -> Worksheet:
    """A sheet: the heading in row 1, the `note` (an export's watermark) under it when there
    is one, then the header row and `rows`; columns as wide as their text, set up for
    printing, the note repeated at the top and bottom of every printed page."""
    sheet = book.create_sheet(title=title[:31])
    sheet.cell(row=1, column=1, value=heading).font = Font(bold=True, size=14)
    top = 1
    if note:
        top = 2
        sheet.cell(row=top, column=1, value=note).font = Font(bold=True, color="9C0006")
    widths = [display_width(h) for h in headers]
    for index, header in enumerate(headers, start=1):
        cell = put(sheet, top + 1, index, header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for offset, row in enumerate(rows, start=top + 2):
        for index, value in enumerate(row, start=1):
            cell = put(sheet, offset, index, value)
            if number_formats and index in number_formats:
                cell.number_format = number_formats[index]
            widths[index - 1] = max(widths[index - 1], display_width(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 40)
    wide = len(headers) > 6 if landscape is None else landscape
    print_setup(sheet, len(headers), len(rows) + top + 1, landscape=wide, title_rows=top + 1)
    if note:
        print_note(sheet, note)
    return sheet


def print_setup(
    sheet: Worksheet, columns: int, rows: int, *, landscape: bool, title_rows: int = 2
) -> None:
    """A4, as wide as the page, the heading rows repeated on every page, page numbers."""
    sheet.freeze_panes = f"A{title_rows + 1}"
    sheet.print_area = f"A1:{get_column_letter(columns)}{max(rows, title_rows)}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{title_rows}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "&P / &N"


def print_note(sheet: Worksheet, note: str) -> None:
    """The note in the printed header and footer of every page (a watermark that a page
    torn off the rest still carries); the page numbers move to the right."""
    text = note.replace("&", "&&")  # & starts a header/footer code
    sheet.oddHeader.center.text = text
    sheet.oddHeader.center.size = 9
    sheet.oddFooter.left.text = text
    sheet.oddFooter.left.size = 7
    sheet.oddFooter.center.text = None
    sheet.oddFooter.right.text = "&P / &N"


def csv_safe(value) -> str:
    """One CSV cell's text, neutralised when a spreadsheet would run it."""
    if value is None:
        return ""
    # Only typed text is neutralised: a number (even a negative one) stays a number.
    return "'" + value if looks_like_formula(value) else str(value)


def csv_line(values: list) -> str:
    """One CSV record (CRLF-terminated, as Excel writes them), every cell Excel-safe."""
    out = StringIO()
    csv.writer(out).writerow([csv_safe(v) for v in values])
    return out.getvalue()
