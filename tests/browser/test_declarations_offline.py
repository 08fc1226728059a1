"""The health declaration on a staff member's phone with no connection (issue 4), in a real
Chromium at 360 px: the service worker answers /me/declaration with the form's shell (nobody's
history in it), prefilled from the person's own last declaration kept in IndexedDB; a
declaration with a cough waits in the outbox; back online it is sent once through /sync/push
and the phone shows "stay home" with what to do; the office sees the person flagged and clears
them; logging out forgets the kept answers, and the shell names no one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.async_api import BrowserContext, Page, expect

from server import clock
from server.audit.service import Actor
from server.declarations import service
from server.declarations.tables import Declaration, DeclarationRevision
from server.i18n import translate
from server.org.tables import Person
from server.policy.service import load_policy
from sync.ids import new_entry_id
from sync.tables import AppliedMutation
from tests.browser.conftest import log_in, log_out, wait_until

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SHELL = "/me/declaration/shell"
# The worker controls the page and keeps the declaration's shell; the page kept the person's
# own last declaration in IndexedDB.
STATE = """async (shell) => {
  const registration = await navigator.serviceWorker.getRegistration();
  const rows = await hallwatchQueue.rows();
  return {
    installing: Boolean(registration?.installing), waiting: Boolean(registration?.waiting),
    active: registration?.active?.state ?? null,
    controlled: Boolean(navigator.serviceWorker.controller),
    shell: Boolean(await caches.match(shell)), caches: await caches.keys(),
    kept: rows.some((r) => r.entity === "my_declaration"),
  };
}"""
READY = f"""async (shell) => {{
  const state = await ({STATE})(shell);
  return state.active === "activated" && state.controlled && state.shell && state.kept;
}}"""
OUTBOX = "() => hallwatchQueue.records()"
KEPT_SHELL = """async (shell) => {
  for (;;) {
    const response = await caches.match(shell);
    if (response) return await response.text();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}"""
SCRIPT_ERRORS: list[str] = []


@pytest.fixture(autouse=True)
def no_script_errors():
    SCRIPT_ERRORS.clear()
    yield
    assert SCRIPT_ERRORS == [], SCRIPT_ERRORS


def watch(context: BrowserContext) -> BrowserContext:
    context.on("weberror", lambda error: SCRIPT_ERRORS.append(str(error.error)))
    return context


def zh(message: str, **params) -> str:
    return translate("zh", message, params or None)


async def wang() -> int:
    return (await Person.select(Person.id).where(Person.name == "王萍").first())["id"]


async def declared_yesterday_from_home(person_id: int) -> None:
    """An all-normal declaration yesterday, from home: the quick path's prefill."""
    start, _ = clock.day_bounds(clock.today() - dt.timedelta(days=1))
    form = {
        "temperature": "36.4",
        "symptoms": [],
        "left_city": "no",
        "outbreak_contact": "no",
        "household_symptoms": "no",
        "work_mode": "from_home",
    }
    await service.submit_declaration(
        person_id,
        form,
        Actor(username="staff"),
        await load_policy(),
        submission_id=new_entry_id(),
        now=start + dt.timedelta(hours=8),
    )


async def no_horizontal_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


async def test_declared_offline_with_a_cough_sent_when_online_and_cleared_by_the_office(
    new_context,
):
    person_id = await wang()
    await declared_yesterday_from_home(person_id)
    # The phone keeps the hall's time, as the hall's phones do: its day is the server's day.
    options = {"viewport": PHONE, "timezone_id": str(clock.hall_zone())}
    context = watch(await new_context(**options))
    staff = await context.new_page()
    await log_in(staff, "staff", "/me")
    await staff.goto("/me/declaration")
    await wait_until(staff, READY, SHELL, explain=STATE)

    # The kept shell carries the form and no one's history, status or kept answers.
    shell = await staff.evaluate(KEPT_SHELL, SHELL)
    assert 'id="declaration-form"' in shell
    for personal in ('class="history', 'id="my-last"', "36.4", "王萍", "data-person"):
        assert personal not in shell

    # No network: the worker answers with the shell, prefilled by the quick path.
    await context.set_offline(True)
    await staff.goto("/me/declaration")
    await expect(staff.locator(".offline-note")).to_be_visible()
    form = staff.locator("#declaration-form form")
    await expect(form.locator('input[name="work_mode"][value="from_home"]')).to_be_checked()
    await expect(form.locator('input[name="household_symptoms"][value="no"]')).to_be_checked()
    await expect(form.locator('input[name="temperature"]')).to_have_value("")
    await expect(form.locator("details.answers")).not_to_have_attribute("open", re.compile(".*"))
    await no_horizontal_scroll(staff)

    # A misread is refused on the phone with the valid range; nothing is queued.
    await form.locator('input[name="temperature"]').fill("45")
    await form.locator("button.primary").click()
    await expect(form.locator("#temperature-error")).to_contain_text("45")
    assert await staff.evaluate(OUTBOX) == []

    await form.locator('input[name="temperature"]').fill("36.8")
    await expect(form.locator("details.answers")).to_have_attribute("open", "")
    await form.locator('input[name="symptoms"][value="cough"]').check()
    entry_id = await form.locator('input[name="entry_id"]').input_value()
    await form.locator("button.primary").click()
    await expect(staff.locator(".queued")).to_be_visible()
    await expect(staff.locator(".alert.hold.decl-queued")).to_be_visible()
    await expect(staff.locator(".alert.stay-home")).to_have_count(0)
    [record] = await staff.evaluate(OUTBOX)
    mutation = record["mutation"]
    assert mutation["kind"] == "declaration.submit" and mutation["id"] == entry_id
    assert mutation["fields"]["symptoms"] == ["cough"]
    assert mutation["fields"]["work_mode"] == "from_home"
    today = clock.local(clock.now()).date()
    assert await service.declaration_on(person_id, today) is None

    # Still queued after a reload with no network.
    await staff.reload()
    await expect(staff.locator(".queued")).to_be_visible()

    # Back online: sent once, and the answer tells the person to stay home.
    await context.set_offline(False)
    banner = staff.locator(".alert.stay-home")
    await expect(banner).to_be_visible()
    await expect(banner.locator("h3")).to_have_text(zh("Stay home, await notice"))
    await expect(banner.locator(".risk")).to_have_text([zh("Symptoms")])
    await expect(banner.locator("ol li")).to_have_count(4)
    await expect(staff.locator(".queued")).to_have_count(0)
    await expect(staff.locator(".history")).to_be_visible()  # the server's page, swapped in
    assert await staff.evaluate(OUTBOX) == []
    stored = await service.declaration_on(person_id, today)
    assert str(stored["id"]) == mutation["entity_id"] and stored["risks"] == "symptoms"
    assert not stored["by_head"] and stored["work_mode"] == "from_home"
    assert await AppliedMutation.count().where(AppliedMutation.id == entry_id) == 1
    revisions = DeclarationRevision.declaration == stored["id"]
    assert await DeclarationRevision.count().where(revisions) == 1
    await no_horizontal_scroll(staff)

    # The office sees them flagged and clears them with a note.
    office = await (await new_context(viewport=PHONE)).new_page()
    await log_in(office, "office", "/dashboard")
    await office.goto("/health?show=stay_home")
    row = office.locator("#board li.row-stay_home", has_text="王萍")
    await expect(row.locator(".risk")).to_contain_text(zh("Symptoms"))
    await row.locator("a.name").click()
    await office.wait_for_url("**/health/people/*")
    await office.fill('form.clear-form input[name="note"]', "电话随访，咳嗽已好转")
    await office.click("form.clear-form button")
    await expect(office.locator(".status-history li").first).to_contain_text("咳嗽已好转")
    await office.goto("/health/absences")
    await no_horizontal_scroll(office)

    await staff.goto("/me/declaration")
    await expect(staff.locator(".alert.cleared")).to_contain_text("咳嗽已好转")
    await expect(staff.locator(".alert.stay-home")).to_have_count(0)
    assert await Declaration.count().where(Declaration.person == person_id) == 2

    # Logging out forgets the kept answers: the next person on this phone starts from a
    # blank shell with no network.
    await log_out(staff)
    assert await staff.evaluate("hallwatchQueue.rows()") == []
    await log_in(staff, "head", "/me")
    await context.set_offline(True)
    await staff.goto("/me/declaration")
    await expect(staff.locator(".offline-note")).to_be_visible()
    await expect(staff.locator(".stay-home, .cleared, .history")).to_have_count(0)
    await expect(form.locator('input[name="work_mode"]:checked')).to_have_count(0)
    await expect(staff.locator("body")).not_to_contain_text("王萍")
    # The head's board of today, back online, at 360 px: 王萍 declared and back on duty.
    await context.set_offline(False)
    await staff.goto("/team")
    await expect(staff.locator(f'li[data-person="{person_id}"]')).to_have_class(
        re.compile("row-declared")
    )
    await no_horizontal_scroll(staff)


async def test_a_page_the_worker_did_not_serve_still_leaves_its_shell_on_the_phone(new_context):
    """The worker installs on the login page, with no session, so it keeps no shell then; a
    first /me/declaration that did not go through it (here: bypassed, as a page loaded
    before the worker took control) asks it to keep the shell."""
    context = watch(await new_context(viewport=PHONE))
    page = await context.new_page()
    await page.goto("/login")
    await wait_until(page, "() => Boolean(navigator.serviceWorker.controller)")
    await log_in(page, "staff", "/me")
    kept = "async (shell) => Boolean(await caches.match(shell))"
    assert not await page.evaluate(kept, SHELL)
    devtools = await context.new_cdp_session(page)
    await devtools.send("Network.enable")
    await devtools.send("Network.setBypassServiceWorker", {"bypass": True})
    await page.goto("/me/declaration")
    assert not await page.evaluate("Boolean(navigator.serviceWorker.controller)")
    await devtools.send("Network.setBypassServiceWorker", {"bypass": False})
    await wait_until(page, kept, SHELL)


async def head_declares_offline(new_context, other_symptoms: str = "") -> Page:
    """The head (董敏) on a phone whose worker keeps the declaration's shell declares with no
    network, a cough and a trip (and `other_symptoms` typed, its box left unticked); the
    page, offline, with the entry in the outbox."""
    context = watch(await new_context(viewport=PHONE, timezone_id=str(clock.hall_zone())))
    head = await context.new_page()
    await log_in(head, "head", "/me")
    await head.goto("/me/declaration")
    await wait_until(head, READY, SHELL, explain=STATE)
    await context.set_offline(True)
    await head.goto("/me/declaration")
    form = head.locator("#declaration-form form")
    await form.evaluate("(form) => form.querySelector('details.answers').setAttribute('open', '')")
    await form.locator('input[name="temperature"]').fill("36.6")
    await form.locator('input[name="symptoms"][value="cough"]').check()
    await form.locator('input[name="symptoms"][value="other"]').uncheck()
    await form.locator('input[name="symptoms_other"]').fill(other_symptoms)
    await form.locator('input[name="left_city"][value="yes"]').check()
    await form.locator('input[name="left_city_where"]').fill("济南")
    for name in ("outbreak_contact", "household_symptoms"):
        await form.locator(f'input[name="{name}"][value="no"]').check()
    await form.locator('input[name="work_mode"][value="on_site"]').check()
    await form.locator("button.primary").click()
    await expect(head.locator(".queued")).to_be_visible()
    return head


async def test_other_symptoms_typed_offline_are_the_symptom_other_and_kept(new_context):
    """The phone cleans the answers as the server does: "other symptoms" typed with the box
    left unticked is the symptom "other", and the text is kept."""
    head = await head_declares_offline(new_context, other_symptoms="流涕")
    [record] = await head.evaluate(OUTBOX)
    fields = record["mutation"]["fields"]
    assert fields["symptoms"] == ["cough", "other"] and fields["symptoms_other"] == "流涕"
    await head.context.set_offline(False)
    await expect(head.locator(".alert.stay-home")).to_be_visible()
    await expect(head.locator(".queued")).to_have_count(0)
    person = (await Person.select(Person.id).where(Person.name == "董敏").first())["id"]
    stored = await service.declaration_on(person, clock.local(clock.now()).date())
    assert stored["symptoms"] == "cough,other" and stored["symptoms_other"] == "流涕"


async def test_the_unsent_badge_leads_a_declarer_to_their_own_declaration(new_context):
    """The header's unsent-entries badge leads a head (as any declarer) to their own
    declaration page, which shows the entry waiting and sends it, not to the desk's, which
    is not theirs (403)."""
    head = await head_declares_offline(new_context)
    badge = head.locator("#sync-badge")
    await expect(badge.locator(".unsent")).to_contain_text("1")
    assert await badge.get_attribute("href") == "/me/declaration"
    await no_horizontal_scroll(head)
    # Still offline: back online, the page would send the entry and hide the badge.
    async with head.expect_navigation() as opened:
        await badge.click()
    assert (await opened.value).status == 200
    await expect(head.locator("#declaration-form")).to_be_visible()
    await expect(head.locator(".queued")).to_be_visible()
    await head.context.set_offline(False)
    await expect(head.locator(".alert.stay-home")).to_be_visible()
    await expect(head.locator(".queued")).to_have_count(0)
