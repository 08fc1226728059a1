"""The hold instructions at a desk phone with no connection, in a real Chromium: the numbers
to call (settings) are the ones the phone last pulled, as links to tap, and a number the
admin has not set says so instead of leaving a gap."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from server.policy.service import store_setting
from server.policy.tables import Setting
from tests.browser.conftest import log_in, wait_until
from tests.browser.test_offline_desk import (  # noqa: F401 (the fixture checks every test)
    SHELL_READY,
    no_script_errors,
    record_visitor,
    remeasure,
    watch,
    zh,
)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
NUMBERS = ("office_phone", "district_epidemic_phone")
PULLED = """async ([key, number]) =>
  (await hallwatchQueue.getMeta("reference"))?.policy?.[key] === number"""


@pytest.fixture
async def numbers():
    """Sets a number for the test; none is left set after it."""
    yield store_setting
    await Setting.delete().where(Setting.key.is_in(list(NUMBERS)))


async def hold_offline(page: Page, name: str, phone: str):
    await record_visitor(page, name, phone, "38.2")
    await remeasure(page, "visitor", "38.6")
    hold = page.locator("#visitor-panel .alert.hold")
    await expect(hold).to_contain_text(name)
    return hold


async def test_an_offline_hold_gives_the_numbers_last_pulled_to_tap(new_context, numbers):
    await numbers("office_phone", "0632-3312345")
    context = watch(await new_context(**PHONE))
    page = await context.new_page()
    await log_in(page, "desk", "/desk")
    await wait_until(page, SHELL_READY)
    await wait_until(page, PULLED, ["office_phone", "0632-3312345"])

    await context.set_offline(True)
    hold = await hold_offline(page, "拨号甲", "13812340021")
    office = hold.locator('[data-phone="office_phone"] a')
    await expect(office).to_have_attribute("href", "tel:0632-3312345")
    await expect(office).to_have_text("0632-3312345")
    district = hold.locator('[data-phone="district_epidemic_phone"]')
    await expect(district).to_have_text(zh("number not set: ask the office"))
    await expect(district.locator("a")).to_have_count(0)
    box = await office.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    await page.click("#visitor-panel button.next")

    # Changed while the desk page stays open: the next pull brings them, not the page.
    await context.set_offline(False)
    await numbers("office_phone", "0632-7654321")
    await numbers("district_epidemic_phone", "0632-1200120")
    await page.evaluate("hallwatchQueue.flush({ force: true })")
    await wait_until(page, PULLED, ["district_epidemic_phone", "0632-1200120"])
    await context.set_offline(True)
    hold = await hold_offline(page, "拨号乙", "13812340022")
    links = hold.locator('[data-phone] a[href^="tel:"]')
    await expect(links).to_have_text(["0632-7654321", "0632-1200120"])
    assert [await link.get_attribute("href") for link in await links.all()] == [
        "tel:0632-7654321",
        "tel:0632-1200120",
    ]
