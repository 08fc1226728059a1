"""Disinfection at the desk by the hall's calendar and clock, in a real Chromium: nothing is due
on a day the hall is closed (the setting `opening_weekdays`, which the phone keeps with its
policy), a phone set to another time zone than the hall's (HALLWATCH_TZ) still reckons and
shows the hall's hours, and the note under the form follows the round it names until it is
synced. The phone's clock is set by the test where the time of day matters."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.async_api import Page, expect

from server import clock
from server.disinfection.schedule import next_due, parse_hhmm
from server.duty.rules import is_open
from server.policy.service import load_policy
from tests.browser.test_desk_extras import (
    OVERDUE,
    PHONE,
    at_minute,
    hall_moment,
    open_desk_online,
)
from tests.browser.test_offline_desk import no_script_errors, watch, zh  # noqa: F401

pytestmark = pytest.mark.browser

# dueBy on the phone at an instant, with the phone's policy and `change` on top of it.
DUE_ON_PHONE = """([times, iso, change]) => hallwatchDisinfection.dueBy(
  times, {...hallwatchDesk.policy(), ...change}, new Date(iso))"""
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]


def first_day(fits) -> dt.date:
    """The first of the hall's days from today on for which `fits(day)`."""
    day = clock.today()
    while not fits(day):
        day += dt.timedelta(days=1)
    return day


async def log_round(page: Page, point: str, who: str) -> None:
    section = page.locator("#disinfection")
    await section.locator('select[name="point"]').select_option(label=point)
    await section.locator('input[name="done_by"]').fill(who)
    await section.locator("button.primary").click()


async def test_nothing_is_red_on_the_desk_on_a_day_the_hall_is_closed(new_context):
    """Half an hour after closing time on a closed day every demo point, with no round done
    that day, stays as it is; the same instant counts as due once the setting opens that day."""
    policy = await load_policy()
    closed = first_day(lambda day: not is_open(day, policy))
    late = hall_moment(closed, *at_minute(parse_hhmm(policy.hall_closes), 30))
    desk = watch(await new_context(timezone_id=str(clock.hall_zone()), **PHONE))
    page = await desk.new_page()
    await page.clock.set_fixed_time(late)
    await open_desk_online(page)
    points = page.locator("#disinfection .points li")
    await expect(points.filter(has_text="电梯按钮")).to_be_visible()
    assert await points.count() >= 6
    await expect(page.locator("#disinfection .points li.overdue")).to_have_count(0)
    phone_policy = await page.evaluate("hallwatchDesk.policy()")
    assert phone_policy["opening_weekdays"] == list(policy.opening_weekdays)
    assert await page.evaluate(DUE_ON_PHONE, [4, late.isoformat(), {}]) == 0
    every_day = {"opening_weekdays": EVERY_DAY}
    assert await page.evaluate(DUE_ON_PHONE, [4, late.isoformat(), every_day]) == 4


async def test_a_desk_phone_set_to_utc_reckons_by_the_halls_clock(new_context):
    """The phone's browser in UTC, the hall in Asia/Shanghai (eight hours ahead): at 03:27 in
    the hall (19:27 the day before in UTC) nothing is due yet; a minute past the first round's
    due time in the hall (before opening in UTC) a point with no round done is red."""
    assert clock.hall_zone().utcoffset(dt.datetime.now()) != dt.timedelta(0)
    policy = await load_policy()
    opens, closes = parse_hhmm(policy.hall_opens), parse_hhmm(policy.hall_closes)
    # An open day after an open day: in UTC the hall's early morning is the day before.
    day = first_day(lambda d: is_open(d, policy) and is_open(d - dt.timedelta(1), policy))
    desk = watch(await new_context(timezone_id="UTC", **PHONE))
    page = await desk.new_page()
    await page.clock.set_fixed_time(hall_moment(day, 3, 27))
    await open_desk_online(page)
    assert (await page.evaluate("hallwatchDesk.policy()"))["time_zone"] == clock.hall_zone().key
    point = page.locator("#disinfection .points li", has_text="电梯按钮")  # 4 a day, none done
    await expect(point).to_be_visible()
    await expect(page.locator("#disinfection .points li.overdue")).to_have_count(0)

    await page.clock.set_fixed_time(hall_moment(day, *at_minute(next_due(4, opens, closes, 0), 1)))
    await page.reload()
    await expect(point).to_have_class(OVERDUE)
    await expect(point).to_contain_text(zh("Overdue: %(due)s due by now", due=1))


async def test_a_round_logged_on_a_phone_set_to_utc_shows_the_halls_time(new_context):
    desk = watch(await new_context(timezone_id="UTC", **PHONE))
    page = await desk.new_page()
    await open_desk_online(page)
    shortly_before = clock.local(clock.now())
    await log_round(page, "门把手", "时区测试员")
    logged = page.locator("#disinfection .rounds li", has_text="时区测试员")
    await expect(logged).to_be_visible()
    shown = (await logged.text_content()).split(" · ")[0]
    hall_times = {shortly_before, clock.local(clock.now())}
    assert shown in {moment.strftime("%H:%M") for moment in hall_times}, shown


async def test_the_note_under_the_form_says_synced_once_the_round_is(new_context):
    """It said "saved on this phone" while the list below already said "synced"."""
    desk = watch(await new_context(timezone_id=str(clock.hall_zone()), **PHONE))
    page = await desk.new_page()
    await open_desk_online(page)
    await log_round(page, "卫生间", "提示测试员")
    logged = page.locator("#disinfection .rounds li", has_text="提示测试员")
    await expect(logged).to_contain_text(zh("Synced"))
    notice = page.locator("#disinfection .dis-notice")
    await expect(notice).to_contain_text("卫生间")
    await expect(notice).to_contain_text(zh("Synced"))
    await expect(notice).not_to_contain_text(zh("Saved on this phone"))
