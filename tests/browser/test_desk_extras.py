"""Pre-registration and disinfection at the desk with no connection, in a real Chromium:
a visitor's own phone registers and gets a code; the desk, offline, types the code (or opens
the link in the visitor's QR), sees the visitor's answers and adds only the temperature; a
disinfection round is logged offline; back online, each reaches the server exactly once. A
point behind schedule is red on the desk, at a time of day the test sets on the phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from playwright.async_api import BrowserContext, Page, expect

from server import clock
from server.audit.service import Actor
from server.checks.tables import VisitorCheck
from server.devices.controller import qr_svg
from server.disinfection import service as disinfection
from server.disinfection.schedule import due_by, next_due, parse_hhmm
from server.disinfection.tables import DisinfectionRound
from server.duty.rules import is_open
from server.policy.service import load_policy
from server.visitors.tables import Preregistration
from sync.ids import new_entry_id
from sync.tables import AppliedMutation
from tests.browser.conftest import AppServer, log_in, wait_until
from tests.browser.test_offline_desk import (  # noqa: F401 (the fixture checks every test)
    OUTBOX,
    SHELL_READY,
    no_script_errors,
    watch,
    zh,
)

pytestmark = pytest.mark.browser

# The phone's rule with the policy the phone was given (the setting `opening_hours`), at an
# instant (ISO).
DUE_ON_PHONE = """(iso) => hallwatchDisinfection.dueBy(4, hallwatchDesk.policy(), new Date(iso))"""
A_MONDAY = dt.date(2026, 3, 9)
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
PULLED = """async (code) => (await hallwatchQueue.rows()).some(
  (r) => r.entity === "visitor_prereg" && r.row.code === code)"""
OVERDUE = re.compile(r"\boverdue\b")
OVERDUE_BACKGROUND = "rgb(253, 232, 234)"  # app.css: #disinfection .point.overdue, #fde8ea


def at_minute(moment: dt.time, minutes: int) -> tuple[int, int]:
    total = moment.hour * 60 + moment.minute + minutes
    return total // 60, total % 60


def hall_moment(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_zone())


async def open_desk_online(page: Page) -> None:
    await log_in(page, "desk", "/desk")
    await wait_until(page, SHELL_READY)


async def back_online_and_sent(context, page: Page) -> None:
    await context.set_offline(False)
    await page.evaluate("hallwatchQueue.flush({force: true})")
    await wait_until(page, f"async () => (await ({OUTBOX})()).length === 0")


async def register(visitor: BrowserContext, name: str, phone: str, purpose: str) -> Page:
    """The visitor's own phone fills in /visit; the page it ends on shows the code and QR."""
    form = await visitor.new_page()
    await form.goto("/visit")
    await form.fill('input[name="name"]', name)
    await form.fill('input[name="phone"]', phone)
    await form.fill('input[name="purpose"]', purpose)
    await form.check('input[name="travel_or_contact"][value="no"]')
    await form.click("#visit-form button.primary")
    await expect(form.locator(".qr svg")).to_be_visible()
    return form


async def shown_code(form: Page) -> str:
    code = (await form.locator("#prereg-code").text_content()).strip()
    assert len(code) == 6
    return code


def qr_path(svg: str) -> str:
    """The drawing of a QR code's modules, to tell which text two codes hold."""
    return BeautifulSoup(svg, "html.parser").select_one("path")["d"]


async def test_a_pre_registered_visitor_is_checked_in_offline_and_synced_once(new_context):
    visitor = watch(await new_context(**PHONE))
    code = await shown_code(await register(visitor, "扫码来访者", "13655556666", "社保窗口"))

    desk = watch(await new_context(**PHONE))
    page = await desk.new_page()
    await open_desk_online(page)
    # The page's first sync pulls today's pre-registrations onto the phone.
    await wait_until(page, PULLED, code)

    await desk.set_offline(True)
    panel = page.locator("#prereg")
    await panel.locator('input[name="prereg"]').fill(code.lower())
    await panel.locator("form.prereg-find button").click()
    card = panel.locator(".prereg-found")
    await expect(card.locator('[data-slot="name"]')).to_have_text("扫码来访者")
    await expect(card.locator('[data-slot="phone"]')).to_have_text("136****6666")
    await expect(card.locator('[data-slot="purpose"]')).to_have_text("社保窗口")
    await card.locator('input[name="temperature"]').fill("36.7")
    await card.locator("button.primary").click()
    notice = page.locator("#visitor-panel .alert.ok")
    await expect(notice).to_contain_text("扫码来访者")
    await expect(notice).to_contain_text(zh("Saved on this phone"))
    listed = page.locator("#today .entry", has_text="扫码来访者")
    await expect(listed.locator(".sync-state")).to_have_text(zh("Waiting to be sent"))
    outbox = await page.evaluate(OUTBOX)
    assert [r["mutation"]["kind"] for r in outbox] == ["visitor_check.prereg.create"]
    assert outbox[0]["mutation"]["fields"] == {"prereg": code, "temperature": 36.7}

    # The same code again on this phone is refused: it has been used.
    await panel.locator('input[name="prereg"]').fill(code)
    await panel.locator("form.prereg-find button").click()
    await expect(panel.locator(".prereg-error")).to_be_visible()

    await back_online_and_sent(desk, page)
    await expect(listed.locator(".sync-state")).to_have_text(zh("Synced"))
    stored = await VisitorCheck.select().where(VisitorCheck.name == "扫码来访者")
    assert len(stored) == 1, "one visitor check, exactly once"
    check = stored[0]
    assert (check["phone"], check["purpose"], check["temperature"]) == (
        "13655556666",
        "社保窗口",
        36.7,
    )
    assert check["status"] == "normal"
    prereg = await Preregistration.select().where(Preregistration.code == code).first()
    assert prereg["check_id"] == check["id"]
    assert await AppliedMutation.count().where(AppliedMutation.id == outbox[0]["id"]) == 1


async def test_the_desk_card_writes_the_symptoms_as_the_export_does(new_context):
    """The other symptom the visitor wrote is the aside of 其他, listed with 、, as in the
    visitor register export, not a symptom of its own."""
    visitor = watch(await new_context(**PHONE))
    form = await visitor.new_page()
    await form.goto("/visit")
    await form.fill('input[name="name"]', "咳嗽来访者")
    await form.fill('input[name="phone"]', "13655557777")
    await form.check('input[name="symptoms"][value="cough"]')
    await form.check('input[name="symptoms"][value="other"]')
    await form.fill('input[name="symptoms_other"]', "头痛")
    await form.check('input[name="travel_or_contact"][value="no"]')
    await form.click("#visit-form button.primary")
    code = await shown_code(form)

    desk = watch(await new_context(**PHONE))
    page = await desk.new_page()
    await open_desk_online(page)
    await wait_until(page, PULLED, code)
    panel = page.locator("#prereg")
    await panel.locator('input[name="prereg"]').fill(code)
    await panel.locator("form.prereg-find button").click()
    symptoms = panel.locator('.prereg-found [data-slot="symptoms"]')
    await expect(symptoms).to_have_text("咳嗽、其他（头痛）")


async def test_the_link_in_the_visitors_qr_opens_the_desk_with_the_visitor_found(
    new_context, app_server: AppServer
):
    """What a phone's camera app opens from the visitor's QR: /desk?prereg=CODE. The desk
    starts with the code filled in and the visitor found: online, one registered since the
    last pull is fetched; with no network, the service worker's desk finds one this phone
    pulled. The link leaves the address bar, so a reload does not find it again."""
    visitor = watch(await new_context(**PHONE))
    desk = watch(await new_context(**PHONE))
    page = await desk.new_page()
    await open_desk_online(page)
    online = await register(visitor, "扫链来访者", "13677778888", "不动产窗口")
    code = await shown_code(online)
    link = f"{app_server.url}/desk?prereg={code}"
    # The QR on the visitor's phone holds this very link.
    assert qr_path(await online.locator(".qr").inner_html()) == qr_path(qr_svg(link))
    offline_code = await shown_code(await register(visitor, "离线扫链者", "13699990000", "医保"))

    panel = page.locator("#prereg")
    card = panel.locator(".prereg-found")
    await page.goto(link)
    await expect(card.locator('[data-slot="name"]')).to_have_text("扫链来访者")
    await expect(card.locator('[data-slot="phone"]')).to_have_text("136****8888")
    await expect(panel.locator('input[name="prereg"]')).to_have_value(code)
    assert page.url.endswith("/desk")

    await wait_until(page, PULLED, offline_code)  # that page's sync pulled the other one
    await desk.set_offline(True)
    await page.goto(f"/desk?prereg={offline_code.lower()}")
    await expect(card.locator('[data-slot="name"]')).to_have_text("离线扫链者")
    await expect(panel.locator('input[name="prereg"]')).to_have_value(offline_code)
    assert page.url.endswith("/desk")
    await card.locator('input[name="temperature"]').fill("36.5")
    await card.locator("button.primary").click()
    await expect(page.locator("#visitor-panel .alert.ok")).to_contain_text("离线扫链者")
    outbox = await page.evaluate(OUTBOX)
    assert [r["mutation"]["fields"] for r in outbox] == [
        {"prereg": offline_code, "temperature": 36.5}
    ]

    await back_online_and_sent(desk, page)
    stored = await VisitorCheck.select().where(VisitorCheck.name == "离线扫链者")
    assert len(stored) == 1 and stored[0]["temperature"] == 36.5
    assert stored[0]["phone"] == "13699990000"


async def test_a_disinfection_round_logged_offline_syncs_exactly_once(new_context):
    desk = watch(await new_context(**PHONE))
    page = await desk.new_page()
    await open_desk_online(page)
    section = page.locator("#disinfection")
    await expect(section.locator(".points li", has_text="电梯按钮")).to_be_visible()
    # The phone's overdue rule is the server's, with the hours the setting gives both: just
    # before opening, then a minute either side of each round's due time.
    policy = await load_policy()
    phone_policy = await page.evaluate("hallwatchDesk.policy()")
    assert (phone_policy["hall_opens"], phone_policy["hall_closes"]) == (
        policy.hall_opens,
        policy.hall_closes,
    )
    opens, closes = parse_hhmm(policy.hall_opens), parse_hhmm(policy.hall_closes)
    times = [at_minute(opens, -1)]
    for done in range(4):
        due = next_due(4, opens, closes, done)
        times += [at_minute(due, -1), at_minute(due, 1)]
    for hour, minute in times:
        on_phone = await page.evaluate(
            DUE_ON_PHONE, hall_moment(A_MONDAY, hour, minute).isoformat()
        )
        assert on_phone == due_by(4, opens, closes, dt.time(hour, minute)), (hour, minute)

    await desk.set_offline(True)
    await page.reload()  # a start with no network: the shell from the service worker
    await section.locator('select[name="point"]').select_option(label="电梯按钮")
    await expect(section.locator('input[name="agent"]')).to_have_value("75%酒精")
    await section.locator('input[name="done_by"]').fill("离线消毒员")
    await section.locator("button.primary").click()
    await expect(section.locator(".dis-notice")).to_contain_text("电梯按钮")
    queued = section.locator(".rounds li", has_text="离线消毒员")
    await expect(queued).to_contain_text(zh("Waiting to be sent"))
    outbox = await page.evaluate(OUTBOX)
    assert [r["mutation"]["kind"] for r in outbox] == ["disinfection_round.create"]

    await back_online_and_sent(desk, page)
    await expect(queued).to_contain_text(zh("Synced"))
    rounds = await DisinfectionRound.select().where(DisinfectionRound.done_by == "离线消毒员")
    assert len(rounds) == 1 and rounds[0]["agent"] == "75%酒精"
    assert str(rounds[0]["id"]) == outbox[0]["mutation"]["entity_id"]
    assert await AppliedMutation.count().where(AppliedMutation.id == outbox[0]["id"]) == 1
    # Sent again (a lost answer), it changes nothing.
    await page.evaluate(
        """async (mutation) => {
             const r = await fetch("/sync/push", {method: "POST", headers: {
               "Content-Type": "application/json", "X-Hallwatch-Sync": "1"},
               body: JSON.stringify({mutations: [mutation]})});
             return (await r.json()).results[0].status;
           }""",
        outbox[0]["mutation"],
    )
    assert await DisinfectionRound.count().where(DisinfectionRound.done_by == "离线消毒员") == 1


async def test_a_point_behind_schedule_is_red_on_the_desk(new_context):
    """The phone's clock set on a day the hall is open (the desk draws by the phone's time):
    before opening nothing is due; a minute past the first round's due time, a point with no
    round done is red."""
    policy, today = await load_policy(), clock.today()
    while not is_open(today, policy):
        today += dt.timedelta(days=1)
    opens, closes = parse_hhmm(policy.hall_opens), parse_hhmm(policy.hall_closes)
    form = {"name": "红色测试点", "area": "二楼", "times_per_day": "4", "agent": "75%酒精"}
    await disinfection.save_point(new_entry_id(), form, Actor(username="office"))
    desk = watch(await new_context(timezone_id=str(clock.hall_zone()), **PHONE))
    page = await desk.new_page()
    await page.clock.set_fixed_time(hall_moment(today, *at_minute(opens, -1)))
    await open_desk_online(page)
    point = page.locator("#disinfection .points li", has_text="红色测试点")
    await expect(point).to_be_visible()
    await expect(point).not_to_have_class(OVERDUE)

    first = next_due(4, opens, closes, 0)
    await page.clock.set_fixed_time(hall_moment(today, *at_minute(first, 1)))
    await page.reload()
    await expect(point).to_have_class(OVERDUE)
    await expect(point).to_have_css("background-color", OVERDUE_BACKGROUND)
    await expect(point).to_contain_text(zh("Overdue: %(due)s due by now", due=1))
