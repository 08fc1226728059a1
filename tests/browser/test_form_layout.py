"""Forms on a 360 px phone, in Chinese: every fieldset's legend lies inside its fieldset's
border (a legend of two lines drawn on the top border had the border running through its
text), and no form page scrolls sideways.

Every <details> is opened first, so the answers folded away (the quick path) are measured too.
And the widest table, the district report's, is whole on a desktop screen."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}

# For each fieldset with a legend: where the legend's box leaves the fieldset's inner border
# edge, in px (a legend on the border line sticks out above it by the border's width or more).
LEGENDS_OUT_OF_BOUNDS = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const out = [];
  for (const fieldset of document.querySelectorAll("fieldset")) {
    const legend = fieldset.querySelector(":scope > legend");
    if (!legend || !legend.getClientRects().length) continue;
    const box = fieldset.getBoundingClientRect(), text = legend.getBoundingClientRect();
    const style = getComputedStyle(fieldset);
    const inner = {
      top: box.top + parseFloat(style.borderTopWidth),
      left: box.left + parseFloat(style.borderLeftWidth),
      right: box.right - parseFloat(style.borderRightWidth),
    };
    const past = Math.max(inner.top - text.top, inner.left - text.left, text.right - inner.right);
    if (past > 0.5) out.push(`${legend.textContent.trim()}: ${past.toFixed(1)} px`);
  }
  return out;
}"""


async def fits_the_phone(page: Page, path: str) -> None:
    response = await page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    out = await page.evaluate(LEGENDS_OUT_OF_BOUNDS)
    assert not out, f"{path}: legends outside their fieldset's border: {out}"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide at {PHONE['width']} px"


async def phone_page(new_context, username: str, landing: str) -> Page:
    page = await (await new_context(viewport=PHONE, device_scale_factor=2)).new_page()
    await log_in(page, username, landing)
    return page


async def test_the_declaration_form_keeps_its_long_legends_inside(new_context):
    staff = await phone_page(new_context, "staff", "/me")
    await fits_the_phone(staff, "/me/declaration")
    question = staff.locator("fieldset legend", has_text="疫区")
    assert (await question.bounding_box())["height"] > 30, "the question no longer wraps"

    head = await phone_page(new_context, "head", "/me")
    await head.goto("/team")
    entry = await head.locator('a[href^="/team/"][href$="/declaration"]').first.get_attribute(
        "href"
    )
    await fits_the_phone(head, entry)


async def test_the_other_forms_fit_a_360_px_phone(new_context):
    visitor = await (await new_context(viewport=PHONE)).new_page()
    await fits_the_phone(visitor, "/visit")

    desk = await phone_page(new_context, "desk", "/desk")
    await fits_the_phone(desk, "/desk")

    office = await phone_page(new_context, "office", "/dashboard")
    for path in ("/office/notices/", "/office/training/"):
        await fits_the_phone(office, path)

    admin = await phone_page(new_context, "admin", "/admin/users")
    await fits_the_phone(admin, "/admin/settings/")


async def test_the_district_reports_table_is_whole_on_a_desktop_screen(new_context):
    # In English: its column heads are the wider ones.
    screen = {"width": 1280, "height": 800}
    office = await (await new_context(viewport=screen, locale="en-US")).new_page()
    await log_in(office, "office", "/dashboard")
    await office.goto("/office/district-report/")
    wrap = office.locator("details.district-day[open] .table-wrap")
    shown, needed = await wrap.evaluate("(e) => [e.clientWidth, e.scrollWidth]")
    assert needed <= shown, f"the table needs {needed} px and has {shown} px"
