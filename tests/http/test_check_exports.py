"""The visitor register and staff checks exported from the office list, through HTTP: masked
by default, full numbers only for office and leaders, the watermark in both formats (sheet
heading, printed header and footer, the CSV's first line), the filter honoured across pages,
formula-like text neutralised, every export audited, bad filters refused with a message."""

import csv
import datetime as dt
from io import BytesIO, StringIO

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from server import clock
from server.accounts.guards import may_see_full_numbers
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.checks import export, queries, service
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.http.conftest import ROLES

DESK = Actor(username="desk")
DAY = clock.today() - dt.timedelta(days=3)
OTHER_DAY = DAY - dt.timedelta(days=1)
PHONE, MASKED_PHONE = "13912340000", "139****0000"
ID_NUMBER, MASKED_ID = "11010519491231002X", "110105********002X"
FORMULA = '=HYPERLINK("http://evil.example","x")'
FORMATS = ("xlsx", "csv")


async def _visitor(name: str, phone: str, at: dt.datetime, **fields) -> dict:
    form = {"name": name, "phone": phone, "temperature": "36.5", **fields}
    recorded = await service.record_visitor_check(new_entry_id(), form, DESK, Policy(), now=at)
    return recorded.check


@pytest.fixture(scope="module")
async def checks(seeded):
    """On DAY: 30 normal visitors (more than a page), one held with an ID number, one whose
    name looks like a formula; on the day before, one more; and a staff check on DAY."""
    from server.org.tables import Person

    start = clock.day_bounds(DAY)[0]
    for n in range(30):
        await _visitor(f"访客{n:02d}", f"1380000{n:04d}", start + dt.timedelta(hours=9, minutes=n))
    held = await _visitor(
        "暂留者",
        PHONE,
        start + dt.timedelta(hours=10),
        id_number=ID_NUMBER,
        temperature="38.1",
        symptoms=["cough"],
    )
    await service.remeasure_visitor(held["id"], "38.3", DESK, Policy())
    await _visitor(FORMULA, "13700000001", start + dt.timedelta(hours=11))
    await _visitor("前一天", "13600000002", clock.day_bounds(OTHER_DAY)[0] + dt.timedelta(hours=9))
    person = await Person.select(Person.id, Person.name).first()
    form = {"person": str(person["id"]), "direction": "arrival", "temperature": "36.4"}
    at = start + dt.timedelta(hours=8)
    await service.record_staff_check(new_entry_id(), form, DESK, Policy(), now=at)
    return {"staff_name": person["name"]}


def _cells(response, fmt: str) -> list[list[str]]:
    """The file's rows as text, whatever the format."""
    if fmt == "csv":
        return list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(BytesIO(response.content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _text(response, fmt: str) -> str:
    return "\n".join("\t".join(row) for row in _cells(response, fmt))


async def _export(client, fmt: str, query: str = "", **headers):
    return await client.get(f"/office/export.{fmt}?day={DAY.isoformat()}{query}", headers=headers)


async def _exports_audited() -> list[dict]:
    return (
        await AuditEntry.select()
        .where(AuditEntry.action == "export")
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )


@pytest.mark.parametrize("fmt", FORMATS)
async def test_numbers_are_masked_by_default(client_as, checks, fmt):
    async with client_as("office") as office:
        response = await _export(office, fmt)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    text = _text(response, fmt)
    assert PHONE not in text and ID_NUMBER not in text
    assert MASKED_PHONE in text and MASKED_ID in text
    if fmt == "csv":
        assert PHONE.encode() not in response.content


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("role", ["office", "leader"])
async def test_office_and_leaders_may_export_full_numbers_watermarked(client_as, checks, role, fmt):
    async with client_as(role) as client:
        response = await _export(client, fmt, "&full=1")
    assert response.status_code == 200
    assert "full-numbers" in response.headers["content-disposition"]
    rows = _cells(response, fmt)
    text = _text(response, fmt)
    assert PHONE in text and ID_NUMBER in text and MASKED_PHONE not in text
    watermark = next(row[0] for row in rows if row and row[0].startswith("导出人"))
    assert role in watermark and "完整" in watermark and "不得外传" in watermark
    if fmt == "xlsx":
        sheet = load_workbook(BytesIO(response.content)).active
        assert rows[1][0] == watermark  # under the heading
        assert role in sheet.oddHeader.center.text and role in sheet.oddFooter.left.text
        assert sheet.print_title_rows == "$1:$3"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_masked_export_is_watermarked_too(client_as, checks, fmt):
    async with client_as("leader") as leader:
        response = await _export(leader, fmt, **{"accept-language": "en"})
    watermark = _cells(response, fmt)[0 if fmt == "csv" else 1][0]
    assert watermark.startswith("Exported by ") and "leader" in watermark
    assert "are masked" in watermark and "full" not in watermark
    assert ". Phone and ID numbers are masked." in watermark


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("office", "leader")])
async def test_other_roles_are_refused_full_numbers_and_the_export(client_as, checks, role):
    assert not may_see_full_numbers(type("User", (), {"role": role})())
    async with client_as(role) as client:
        for query in ("", "&full=1"):
            response = await _export(client, "csv", query)
            assert response.status_code == 403
            assert PHONE not in response.text


async def test_the_csv_starts_with_the_bom_then_the_watermark_then_the_header(client_as, checks):
    async with client_as("office") as office:
        response = await _export(office, "csv")
    assert response.content.startswith("\ufeff导出人".encode())
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert "office" in lines[0] and "已隐去" in lines[0]
    assert "。手机号和身份证号" in lines[0] and " " not in lines[0].split("。", 1)[1]
    assert lines[1].startswith("进入时间,离开时间,姓名,手机号")
    assert response.headers["x-row-count"] == "32"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_every_row_across_pages_and_batches(client_as, checks, fmt, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_BATCH", 7)  # several keyset batches
    async with client_as("office") as office:
        response = await _export(office, fmt)
        two_days = await _export(office, fmt, f"&day={OTHER_DAY.isoformat()}&until={DAY}")
    names = [row[2] for row in _cells(response, fmt)[2 if fmt == "csv" else 3 :]]
    assert len(names) == len(set(names)) == 32 > queries.PAGE_SIZE
    assert {f"访客{n:02d}" for n in range(30)} | {"暂留者"} <= set(names)
    assert "前一天" not in names
    assert "前一天" in _text(two_days, fmt) and two_days.headers["x-row-count"] == "33"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_filter_narrows_the_rows(client_as, checks, fmt):
    async with client_as("office") as office:
        abnormal = await _export(office, fmt, "&abnormal=1")
        searched = await _export(office, fmt, "&q=访客0")
    assert abnormal.headers["x-row-count"] == "1"
    text = _text(abnormal, fmt)
    assert "暂留者" in text and "访客00" not in text
    assert "38.1" in text and "38.3" in text and "咳嗽" in text and "暂留" in text
    assert searched.headers["x-row-count"] == "10"


async def test_formula_like_names_are_neutralised(client_as, checks):
    async with client_as("office") as office:
        workbook = await _export(office, "xlsx", "&q=HYPERLINK")
        csv_file = await _export(office, "csv", "&q=HYPERLINK")
    assert [row[2] for row in _cells(csv_file, "csv")[2:]] == ["'" + FORMULA]
    sheet = load_workbook(BytesIO(workbook.content)).active
    cell = sheet.cell(row=4, column=3)
    assert cell.value == FORMULA and cell.data_type == "s" and cell.quotePrefix


async def test_the_staff_checks_export(client_as, checks):
    async with client_as("office") as office:
        response = await _export(office, "csv", "&tab=staff&full=1")
    rows = _cells(response, "csv")
    assert rows[1][:4] == ["时间", "姓名", "股室", "时段"]
    assert rows[2][1] == checks["staff_name"] and rows[2][3] == "上班"
    assert "完整" not in rows[0][0]  # no numbers in it, so none in full


async def test_each_export_is_audited_with_who_the_filter_the_count_and_full(client_as, checks):
    before = len(await _exports_audited())
    async with client_as("office") as office:
        await _export(office, "csv", "&abnormal=1")
    async with client_as("leader") as leader:
        await _export(leader, "xlsx", "&full=1")
    entries = (await _exports_audited())[before:]
    assert [(e["actor"], e["entity"]) for e in entries] == [
        ("office", "visitor_check"),
        ("leader", "visitor_check"),
    ]
    masked, full = entries[0]["after"], entries[1]["after"]
    assert masked["rows"] == 1 and masked["full_numbers"] is False and masked["format"] == "csv"
    assert masked["filter"]["abnormal"] == "1" and masked["filter"]["day"] == DAY.isoformat()
    assert full["rows"] == 32 and full["full_numbers"] is True and full["format"] == "xlsx"


@pytest.mark.parametrize(
    "query, message",
    [
        ("&day=2020-13-45", "不是日期"),
        (f"&until={OTHER_DAY.isoformat()}", "早于"),
        (f"&until={(DAY + dt.timedelta(days=40)).isoformat()}", "31"),
        ("&window=B01", "没有窗口"),
        ("&tab=everyone", "没有"),
        ("&q=" + "x" * 51, "50"),
    ],
)
async def test_a_bad_filter_is_refused_with_a_message(client_as, checks, query, message):
    before = len(await _exports_audited())
    async with client_as("office") as office:
        response = await _export(office, "csv", query)
    assert response.status_code == 400 and message in response.text
    assert len(await _exports_audited()) == before


async def test_a_workbook_too_large_points_to_the_csv(client_as, checks, monkeypatch):
    monkeypatch.setattr(export, "MAX_WORKBOOK_ROWS", 10)
    async with client_as("office") as office:
        response = await _export(office, "xlsx", **{"accept-language": "en"})
    assert response.status_code == 422 and "take the CSV" in response.text


async def test_the_list_links_its_exports_with_the_filter(client_as, checks):
    async with client_as("office") as office:
        visitors = await office.get(f"/office?day={DAY.isoformat()}&abnormal=1")
        staff = await office.get(f"/office?tab=staff&day={DAY.isoformat()}")
    links = [a["href"] for a in BeautifulSoup(visitors.text, "html.parser").select(".downloads a")]
    assert len(links) == 4 and sum("full=1" in link for link in links) == 2
    assert all("abnormal=1" in link and DAY.isoformat() in link for link in links)
    staff_links = BeautifulSoup(staff.text, "html.parser").select(".downloads a")
    assert len(staff_links) == 2 and all("tab=staff" in a["href"] for a in staff_links)
