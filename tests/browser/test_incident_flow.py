"""Issue 5's path end to end in Chromium: a desk phone with no network holds a visitor with a
fever; when it syncs, the incident appears by itself on the dashboard the office has open;
the office records the plan's steps and prints the one-page report."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import log_in, save_screenshot
from tests.browser.test_offline_desk import entry, open_desk, record_visitor, remeasure

pytestmark = pytest.mark.browser

STEPS = [
    ("reported_office", {"reported_to": "领导小组办公室 赵净"}),
    ("reported_district", {"called": "区疾控中心", "number": "0311-1234567"}),
    ("transferred", {"by_whom": "120急救中心", "to_where": "区人民医院发热门诊"}),
    ("closed", {}),
]


async def test_an_offline_hold_reaches_the_dashboard_and_is_run_to_a_printed_report(
    new_context,
):
    office = await (await new_context()).new_page()
    await log_in(office, "office", "/dashboard")
    incidents = office.locator("#dashboard li.incident", has_text="上官发热")
    await expect(incidents).to_have_count(0)

    desk_context = await new_context()
    desk = await desk_context.new_page()
    await log_in(desk, "desk", "/desk")
    await open_desk(desk)
    await desk_context.set_offline(True)
    await record_visitor(desk, "上官发热", "13812340091", "38.3")
    await remeasure(desk, "visitor", "38.6")
    await expect(desk.locator("#visitor-panel .alert.hold")).to_contain_text("上官发热")
    await expect(entry(desk, "上官发热")).to_have_class(re.compile("sync-queued"))
    await desk_context.set_offline(False)
    await expect(entry(desk, "上官发热")).to_have_class(re.compile("sync-synced"))

    # The open dashboard refreshes itself (every 10 s): no reload.
    await expect(incidents).to_have_count(1, timeout=20_000)
    await expect(incidents.locator(".deadline")).to_be_visible()
    await save_screenshot(office, "dashboard.png")
    await incidents.locator(".name a").click()
    await office.wait_for_url(re.compile(r"/office/incidents/[0-9a-f-]+$"))
    for kind, fields in STEPS:
        await office.select_option('select[name="kind"]', kind)
        for name, value in fields.items():
            await office.fill(f'input[name="{name}"]', value)
        await office.click("form[action$='/steps'] button.primary")
        await office.wait_for_load_state("networkidle")
    timeline = office.locator(".timeline li")
    await expect(timeline).to_have_count(1 + 1 + len(STEPS))  # detected and held come first
    await expect(office.locator(".timeline")).to_contain_text("0311-1234567")

    report = await office.context.new_page()
    await report.goto(office.url + "/print")
    await expect(report.locator(".timeline")).to_contain_text("区人民医院发热门诊")
    await expect(report.locator("body")).to_contain_text("上官发热")
    pdf = await report.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1, "the report is one page"


def page_count(pdf: bytes) -> int:
    """The page objects of a PDF as Chromium writes it (uncompressed object headers, no
    object streams); "/Type /Pages", the page tree, does not count."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
