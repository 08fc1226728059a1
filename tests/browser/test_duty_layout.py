"""The duty roster on a 360 px phone: the week table scrolls sideways inside its box with the
post names (its first column) staying in view, and a shift's page with a long duty-log entry
written without spaces does not scroll sideways."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}

# Scrolls the week table's box to its far right; where the first column's cells (header and
# every post) then lie, against the box's visible left edge.
FIRST_COLUMN_AFTER_SCROLL = """() => {
  const wrap = document.querySelector("#duty-week").closest(".table-wrap");
  wrap.scrollLeft = wrap.scrollWidth;
  const left = wrap.getBoundingClientRect().left;
  const cells = [...document.querySelectorAll("#duty-week tr > :first-child")];
  return {
    scrolled: wrap.scrollLeft,
    off: cells.map((c) => Math.abs(c.getBoundingClientRect().left - left)),
    opaque: cells.every((c) => getComputedStyle(c).backgroundColor !== "rgba(0, 0, 0, 0)"),
  };
}"""


async def office_on_a_phone(new_context) -> Page:
    page = await (await new_context(viewport=PHONE, device_scale_factor=2)).new_page()
    await log_in(page, "office", "/dashboard")
    return page


async def page_width(page: Page) -> int:
    return await page.evaluate("document.documentElement.scrollWidth")


async def test_the_post_names_stay_in_view_when_the_week_scrolls_sideways(new_context):
    page = await office_on_a_phone(new_context)
    await page.goto("/duty")
    assert await page_width(page) <= PHONE["width"], "the roster page scrolls sideways"
    seen = await page.evaluate(FIRST_COLUMN_AFTER_SCROLL)
    assert seen["scrolled"] > 100, f"the week no longer scrolls inside its box: {seen}"
    assert len(seen["off"]) > 10 and max(seen["off"]) <= 1, f"first column scrolled away: {seen}"
    # Cells scrolling underneath do not show through the sticky column.
    assert seen["opaque"], "the first column has no background"


async def test_a_long_duty_log_entry_wraps_on_a_phone(new_context):
    page = await office_on_a_phone(new_context)
    await page.goto("/duty")
    await page.locator("#duty-week a.shift").first.click()
    await page.wait_for_url("**/duty/shifts/*")
    await page.fill('#duty-log textarea[name="text"]', "体温枪" * 10 + "x" * 1900)
    await page.click("#duty-log button.primary")
    await page.wait_for_selector("#duty-log li.entry")
    width = await page_width(page)
    assert width <= PHONE["width"], f"the shift page is {width} px wide at 360 px"
