"""The health declaration online, in a real Chromium on a 360 px phone: a staff member
declares a cough, is told at once to stay home with what to do; the office sees them flagged
on its board and clears them with a note; the staff member sees they may return.

(The same path offline, through the phone's outbox, belongs to the service-worker tests.)"""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import log_in, log_out, save_screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
MARKER = "window.hallwatchSamePage"


async def no_horizontal_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


async def declare_with_a_cough(page: Page) -> None:
    form = page.locator("#declaration-form form")
    await form.locator('input[name="temperature"]').fill("36.8")
    await form.locator('input[name="symptoms"][value="cough"]').check()
    for question in ("left_city", "outbreak_contact", "household_symptoms"):
        await form.locator(f'input[name="{question}"][value="no"]').check()
    await form.locator('input[name="work_mode"][value="on_site"]').check()
    async with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/me/declaration")
    ) as answer:
        await form.locator("button.primary").click()
    response = await answer.value
    assert response.status == 200
    assert (await response.request.all_headers()).get("hx-request") == "true"


async def test_a_cough_means_stay_home_until_the_office_clears(new_context):
    staff = await (await new_context(viewport=PHONE, device_scale_factor=2)).new_page()
    await log_in(staff, "staff", "/me")
    await expect(staff.locator(".my-declaration .reminder")).to_be_visible()
    await staff.click('.my-declaration a[href="/me/declaration"]')
    await staff.wait_for_url("**/me/declaration")
    await no_horizontal_scroll(staff)
    await staff.evaluate(f"{MARKER} = true")

    await declare_with_a_cough(staff)

    banner = staff.locator(".alert.stay-home")
    await expect(banner).to_be_visible()
    await expect(banner.locator("h3")).to_contain_text("暂不到岗，在家等候通知")
    await expect(banner.locator("ol li")).to_have_count(4)
    await expect(staff.locator("#mine .reminder")).to_have_count(0)
    assert await staff.evaluate(MARKER) is True  # swapped in place by htmx
    await no_horizontal_scroll(staff)
    await save_screenshot(staff, "declaration-stay-home.png")
    await log_out(staff)

    office = await (await new_context(viewport=PHONE)).new_page()
    await log_in(office, "office", "/dashboard")
    await expect(office.locator("#notify-badge .count")).to_be_visible()
    await office.goto("/health?show=stay_home")
    row = office.locator("#board li.row-stay_home", has_text="王萍")
    await expect(row).to_have_count(1)
    await expect(row.locator(".risk")).to_contain_text("症状")
    await no_horizontal_scroll(office)
    await save_screenshot(office, "staff-health.png")

    await row.locator("a.name").click()
    await office.wait_for_url("**/health/people/*")
    await office.fill('form.clear-form input[name="note"]', "已电话随访，症状轻微已缓解")
    await office.click("form.clear-form button")
    await expect(office.locator(".person-status h1 .status")).to_contain_text("在岗")
    await expect(office.locator(".status-history li").first).to_contain_text("已电话随访")
    await no_horizontal_scroll(office)
    await log_out(office)

    await log_in(staff, "staff", "/me")
    await staff.goto("/me/declaration")
    await expect(staff.locator(".alert.stay-home")).to_have_count(0)
    cleared = staff.locator(".alert.cleared")
    await expect(cleared).to_contain_text("可返岗")
    await expect(cleared).to_contain_text("已电话随访")
