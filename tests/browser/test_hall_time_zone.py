"""The desk phone reckons "today" and shows times by the hall's clock (HALLWATCH_TZ), in a real
Chromium set to UTC while the hall is in Asia/Shanghai (eight hours ahead): before 08:00 in the
hall, UTC is still on the day before. Every page names the hall's zone (`data-hall-zone` on
<body>), the desk's shell the service worker keeps too. The phone's clock is set by the test."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.async_api import expect

from server import clock
from server.devices import service as devices
from tests.browser.conftest import log_in, log_out, wait_until
from tests.browser.test_desk_extras import PHONE, hall_moment
from tests.browser.test_offline_desk import (  # noqa: F401 (the fixture checks every test)
    ADMIN,
    SHELL_READY,
    enrol,
    entry,
    no_script_errors,
    open_desk,
    record_visitor,
    watch,
)

pytestmark = pytest.mark.browser

ROW_NAMES = "async () => (await hallwatchQueue.rows()).map((r) => r.row.name)"
# A visitor entry as an earlier shift's pull leaves it on the phone.
PUT_VISITOR = """([id, name, at]) => hallwatchQueue.putRows([{entity: "visitor_check", row: {
  id, name, phone: "138****0073", temperature: 36.6, status: "normal", time_in: at}}])"""
SHELL_ZONE = """async () => {
  const page = await (await caches.match("/desk")).text();
  return new DOMParser().parseFromString(page, "text/html").body.dataset.hallZone;
}"""


async def test_a_utc_desk_phone_lists_and_keeps_the_halls_today(new_context):
    """At 03:27 in the hall (19:27 the day before in UTC) a visitor recorded at the desk is in
    today's list at 03:27, and an entry from 22:00 the hall's evening before (the same UTC day
    as now) is not. At 09:00 in the hall (the next day in UTC) logging out of the enrolled
    phone keeps the 03:27 entry for the next shift, whose list shows it."""
    zone = clock.hall_zone()
    # A day in the past, so no entry is from the server's future.
    day = clock.today() - dt.timedelta(days=1)
    early, later = hall_moment(day, 3, 27), hall_moment(day, 9, 0)
    evening_before = hall_moment(day - dt.timedelta(days=1), 22, 0)
    in_utc = [moment.astimezone(dt.UTC).date() for moment in (early, later, evening_before)]
    assert in_utc == [day - dt.timedelta(days=1), day, day - dt.timedelta(days=1)], zone

    enrollment = await devices.create_device("时区交班测试机", ADMIN)
    context = watch(await new_context(timezone_id="UTC", **PHONE))
    page = await context.new_page()
    await page.clock.set_fixed_time(early)
    await log_in(page, "desk", "/desk")
    assert await page.evaluate("document.body.dataset.hallZone") == zone.key
    await enrol(page, enrollment.code)
    await open_desk(page)
    assert await page.evaluate(SHELL_ZONE) == zone.key
    stale = ["0190a0a0-0000-7000-8000-000000000073", "时区昨晚", evening_before.isoformat()]
    await page.evaluate(PUT_VISITOR, stale)

    await record_visitor(page, "时区今日", "13812340072", "36.5")
    today = entry(page, "时区今日")
    await expect(today).to_have_class(re.compile("sync-synced"))
    await expect(today.locator(".time")).to_have_text("03:27")
    await expect(entry(page, "时区昨晚")).to_have_count(0)

    # The next morning in UTC, the same day in the hall: the shift hands over.
    await wait_until(page, "async () => (await hallwatchQueue.records()).length === 0")
    await page.clock.set_fixed_time(later)
    await log_out(page)
    names = await page.evaluate(ROW_NAMES)
    assert "时区今日" in names and "时区昨晚" not in names, names

    await log_in(page, "desk", "/desk")
    await expect(entry(page, "时区今日").locator(".time")).to_have_text("03:27")
    assert "时区今日" in await page.evaluate(ROW_NAMES)
    await wait_until(page, SHELL_READY)
