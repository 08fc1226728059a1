"""The office's district report through HTTP: on screen with htmx filters, the Excel workbook
read back with openpyxl (a sheet per day, values, print layout, neutralised cells), the CSV
(BOM, neutralised cells, streamed with its row count) and the print page."""

import csv
import datetime as dt
from io import BytesIO, StringIO

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from server import clock
from server.audit.service import Actor
from server.org.tables import Department
from server.reports import service
from server.reports.tables import ReportRound
from sync.ids import new_entry_id

TODAY = clock.today()
DAYS = [TODAY - dt.timedelta(days=n) for n in (2, 1, 0)]
RANGE = f"first={DAYS[0].isoformat()}&last={DAYS[-1].isoformat()}"
FORMULA = '=HYPERLINK("http://evil.example","x")'
ZEROS = dict.fromkeys(
    ("on_site", "at_home", "on_leave", "fever", "suspected", "close_contacts"), "0"
)


@pytest.fixture(scope="module")
async def reports(seeded):
    """办公室 submits every day (a nil report, and one with a note that looks like a
    formula); 档案室 once; the rest never."""
    office = (await Department.select().where(Department.name == "办公室").first())["id"]
    archive = (await Department.select().where(Department.name == "档案室").first())["id"]
    head = Actor(username="head")
    for n, day in enumerate(DAYS):
        form = {**ZEROS, "on_site": str(n), "note": FORMULA if n == 1 else ""}
        at = clock.day_bounds(day)[0] + dt.timedelta(hours=9)
        await service.submit(new_entry_id(), office, day, ReportRound.am, form, head, now=at)
    await service.submit(new_entry_id(), archive, DAYS[0], ReportRound.am, ZEROS, head)
    return {"office": office, "archive": archive}


async def test_on_screen_with_htmx_filters(client_as, reports):
    async with client_as("office") as office:
        page = await office.get(f"/office/district-report/?{RANGE}")
        partial = await office.get(
            f"/office/district-report/?{RANGE}", headers={"hx-request": "true"}
        )
        bad = await office.get(
            f"/office/district-report/?first={TODAY.isoformat()}&last={DAYS[0].isoformat()}",
            headers={"accept-language": "en"},
        )
    html = BeautifulSoup(page.text, "html.parser")
    assert [d["data-day"] for d in html.select("details.district-day")] == [
        d.isoformat() for d in reversed(DAYS)
    ]
    assert "<html" not in partial.text and 'id="district"' in partial.text
    assert bad.status_code == 422 and "comes before the first" in bad.text
    row = html.select_one(
        f'details[data-day="{DAYS[1].isoformat()}"] tr[data-department="{reports["office"]}"]'
    )
    assert row.select_one("td.on_site").text == "1"


async def test_the_workbook_has_a_sheet_per_day_laid_out_for_printing(client_as, reports):
    async with client_as("leader") as leader:
        response = await leader.get(f"/office/district-report/export.xlsx?{RANGE}")
        too_long = await leader.get(
            "/office/district-report/export.xlsx?first="
            f"{(TODAY - dt.timedelta(days=100)).isoformat()}&last={TODAY.isoformat()}"
        )
    assert response.status_code == 200
    assert too_long.status_code == 422
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [d.isoformat() for d in DAYS]
    sheet = book[DAYS[1].isoformat()]
    assert DAYS[1].isoformat() in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    assert header[0] == "股室" and "发热" in header
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=3)}
    office_row = rows["办公室"]
    assert office_row[header.index("到岗")].value == 1
    note = office_row[header.index("备注")]
    assert note.value == FORMULA and note.data_type == "s" and note.quotePrefix
    missed = rows["档案室"]  # nothing submitted on that day: empty cells, not zeros
    assert missed[header.index("发热")].value is None
    assert "漏报" in missed[header.index("状态")].value
    assert any(str(r[0].value) == "合计" for r in sheet.iter_rows(min_row=3))
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_area.endswith("!$A$1:$N$" + str(sheet.max_row))
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.column_dimensions["A"].width > 8


async def test_the_csv_starts_with_a_bom_and_neutralises_formulas(client_as, reports):
    async with client_as("office") as office:
        response = await office.get(f"/office/district-report/export.csv?{RANGE}")
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    departments = len(await service.departments())
    assert response.headers["x-row-count"] == str(3 * departments)
    lines = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0] == "日期"
    assert "'" + FORMULA in [cell for line in lines for cell in line]
    assert not any(cell.startswith("=") for line in lines for cell in line)


async def test_the_print_page_has_a_page_per_day(client_as, reports):
    async with client_as("office") as office:
        response = await office.get(f"/office/district-report/print?{RANGE}")
    html = BeautifulSoup(response.text, "html.parser")
    assert len(html.select("section.print-day")) == 3
    assert html.select_one("body.print") is not None


async def test_a_range_out_of_the_records_says_so(client_as, reports):
    """A day before the records begin is refused in words (year 1 once gave a bare 400); a
    last day to come is cut at today and the page says so; refusals are plain UTF-8 text."""
    future = (TODAY + dt.timedelta(days=30)).isoformat()
    async with client_as("office") as office:
        ancient = await office.get("/office/district-report/?first=0001-01-01&last=0001-01-02")
        ahead = await office.get(f"/office/district-report/?first={TODAY}&last={future}")
        csv_refused = await office.get("/office/district-report/export.csv?first=0001-01-01")
    assert ancient.status_code == 422 and "2020" in ancient.text
    assert ahead.status_code == 200 and f"报表截至今天（{TODAY.isoformat()}）" in ahead.text
    assert csv_refused.headers["content-type"] == "text/plain; charset=utf-8"


async def test_the_print_page_explains_the_star_only_when_a_row_has_one(client_as, reports):
    async with client_as("office") as office:
        response = await office.get(f"/office/district-report/print?{RANGE}")
    # Every report here was sent by its own head: no row carries the star, no note explains it.
    assert "代报" not in response.text and "*" not in response.text
