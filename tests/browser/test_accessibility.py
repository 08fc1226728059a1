"""axe-core finds no serious or critical accessibility problem on the main pages of every role,
the login page and the public hall board and visitor form, in Chinese, on a 360 px phone and
on a desktop screen.

axe-core is a test asset (tests/browser/vendor/README.md, MPL-2.0), never shipped to the
phones. The app's Content-Security-Policy (script-src 'self') blocks the inline <script> that
`page.add_script_tag` writes, so the test registers it with `context.add_init_script`, which
Chromium evaluates through the DevTools protocol, outside the page's policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.browser.conftest import log_in
from tests.browser.test_content_security_policy import LANDING, PAGES

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("vendor") / "axe-core-4.14.1.min.js"
BLOCKING = ("serious", "critical")
WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
PUBLIC = ("/login", "/hall", "/visit")

# A leader reads the office's pages (already checked under "office"); these are the ones a
# leader acts on or lands on.
ROLE_PAGES = {
    **PAGES,
    "leader": (
        "/dashboard",
        "/emergency/",
        "/zero-report/",
        "/office/district-report/",
        "/me/declaration",
        "/duty",
    ),
}
ROLE_LANDING = {**LANDING, "leader": "/dashboard"}

# Each violation's nodes, as axe reports them, in a form a person can read in a test failure.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
  }));
}"""


async def blocking_violations(page: Page, path: str) -> list[str]:
    """Open `path`, let its htmx fragments load, and describe every serious or critical
    violation axe finds there."""
    response = await page.goto(path)
    assert response is not None and response.status == 200, path
    await page.wait_for_load_state("networkidle")
    return await serious_violations(page, path)


async def serious_violations(page: Page, where: str) -> list[str]:
    """Run axe on the page as it stands now."""
    assert await page.evaluate("typeof axe") == "object", "axe-core was not injected"
    found = []
    for violation in await page.evaluate(RUN_AXE):
        if violation["impact"] not in BLOCKING:
            continue
        nodes = "\n".join(f"      {n['target']}: {n['summary']}" for n in violation["nodes"])
        found.append(
            f"{where} [{violation['impact']}] {violation['id']}: {violation['help']}\n{nodes}"
        )
    return found


async def page_with_axe(new_context, width: str) -> Page:
    context = await new_context(viewport=WIDTHS[width])
    await context.add_init_script(path=str(AXE))
    return await context.new_page()


def report(found: list[str]) -> str:
    return f"{len(found)} serious or critical violation(s):\n" + "\n".join(found)


# Each role at the width it works at (the desk and staff on phones; the office on both, as
# its people also check from their phones); a width per role keeps the suite's time down.
ROLE_WIDTHS = [
    ("desk", "phone"),
    ("staff", "phone"),
    ("head", "phone"),
    ("office", "phone"),
    ("office", "desktop"),
    ("leader", "desktop"),
    ("admin", "desktop"),
]


@pytest.mark.parametrize(("role", "width"), ROLE_WIDTHS)
async def test_main_pages_of_each_role_have_no_serious_violation(new_context, role, width):
    page = await page_with_axe(new_context, width)
    await log_in(page, role, ROLE_LANDING[role])
    found = []
    for path in ROLE_PAGES[role]:
        found += await blocking_violations(page, path)
    assert found == [], report(found)


@pytest.mark.parametrize("width", sorted(WIDTHS))
async def test_public_pages_have_no_serious_violation(new_context, width):
    page = await page_with_axe(new_context, width)
    found = []
    for path in PUBLIC:
        found += await blocking_violations(page, path)
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    assert found == [], report(found)


async def test_the_policy_blocks_an_inline_script_tag_so_axe_goes_in_by_init_script(new_context):
    """Why the test uses add_init_script: the inline tag add_script_tag writes is refused."""
    context = await new_context()
    page = await context.new_page()
    await page.goto("/login")
    with pytest.raises(Exception, match="Content Security Policy|script"):
        await page.add_script_tag(path=str(AXE))
    assert await page.evaluate("typeof axe") == "undefined"


async def test_axe_reports_a_broken_page(new_context):
    """The check can fail: a field without a label and grey-on-white text are reported."""
    page = await page_with_axe(new_context, "phone")
    assert await blocking_violations(page, "/login") == []
    await page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.append(document.createElement("select"));
          const faint = document.createElement("p");
          faint.textContent = "看不清的说明";
          faint.style.setProperty("color", "#bbbbbb");
          faint.style.setProperty("background", "#ffffff");
          main.append(faint);
        }"""
    )
    found = "\n".join(await serious_violations(page, "/login"))
    assert "[critical] select-name" in found
    assert "[serious] color-contrast" in found
