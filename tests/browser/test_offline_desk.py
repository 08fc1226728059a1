"""The desk phone with no connection (SPEC "Offline and sync", issue 3), in a real Chromium:
a cold start from the service worker's cache, entries kept in the phone's outbox at once with
SPEC rule 3 answered on the phone, a service-worker update and a browser restart with entries
queued, and every entry stored exactly once when the connection is back — also when the
server's answer is lost, when two tabs flush together, and when the server refuses an entry.

Every test records its own people (names the demo data never uses)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, Route, expect

from server.accounts.tables import UserAccount
from server.audit.service import Actor
from server.checks.tables import StaffCheck, VisitorCheck
from server.devices import service as devices
from server.devices.sync_routes import UNAUTHORISED
from server.i18n import translate
from sync.tables import AppliedMutation
from tests.browser.conftest import REPO_ROOT, AppServer, log_in, wait_until
from tests.support import assert_applied_once

pytestmark = pytest.mark.browser

ADMIN = Actor(username="admin")

# The service worker controls the page and keeps the desk shell for a start with no network.
SHELL_READY = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  return Boolean(registration && registration.active && navigator.serviceWorker.controller
    && await caches.match("/desk"));
}"""
OUTBOX = "() => hallwatchQueue.records()"
STATUS = "() => hallwatchQueue.getMeta('status')"


SCRIPT_ERRORS: list[str] = []


@pytest.fixture(autouse=True)
def no_script_errors():
    """Every page of these tests runs without an uncaught error (see `watch`)."""
    SCRIPT_ERRORS.clear()
    yield
    assert SCRIPT_ERRORS == []


def watch(context: BrowserContext) -> BrowserContext:
    context.on("weberror", lambda error: SCRIPT_ERRORS.append(str(error.error)))
    return context


def zh(message: str, **params) -> str:
    return translate("zh", message, params or None)


async def enrol(page: Page, code: str) -> None:
    """Enrol this browser as a desk phone with an admin's one-time code."""
    await page.goto(f"/enroll?code={code}")
    await page.click("#enroll-form button.primary")
    await expect(page.locator("#enroll-done")).to_be_visible()


async def open_desk(page: Page) -> None:
    await page.goto("/desk")
    await wait_until(page, SHELL_READY)


async def record_visitor(
    page: Page, name: str, phone: str, temperature: str, symptoms=(), travel=False
) -> None:
    panel = page.locator("#visitor-panel")
    await panel.locator('input[name="name"]').fill(name)
    await panel.locator('input[name="phone"]').fill(phone)
    await panel.locator('input[name="temperature"]').fill(temperature)
    for code in symptoms:
        await panel.locator(f'input[name="symptoms"][value="{code}"]').check()
    if travel:
        await panel.locator('input[name="travel_or_contact"][value="yes"]').check()
    await panel.locator("button.primary").click()


async def remeasure(page: Page, kind: str, temperature: str) -> None:
    form = page.locator(f'#{kind}-panel form[action$="/remeasure"]')
    await form.locator('input[name="temperature"]').fill(temperature)
    await form.locator("button").click()


def entry(page: Page, name: str):
    return page.locator("#today .entry", has_text=name)


async def unsent_ids(page: Page) -> list[str]:
    return [record["id"] for record in await page.evaluate(OUTBOX)]


async def stored_once(names: list[str]) -> dict[str, dict]:
    rows = await VisitorCheck.select().where(VisitorCheck.name.is_in(names))
    assert sorted(r["name"] for r in rows) == sorted(names), "each visitor stored exactly once"
    return {r["name"]: r for r in rows}


async def desk_user_id() -> int:
    row = await UserAccount.select(UserAccount.id).where(UserAccount.username == "desk").first()
    return row["id"]


async def shell_cache(app_server: AppServer) -> str:
    """The name of the shell cache the service worker the server now serves would fill."""
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        served = (await client.get("/sw.js")).text
    return "hallwatch-shell-" + re.search(r'const VERSION = "([^"]+)"', served).group(1)


async def deploy_new_release(app_server: AppServer, page: Page, tmp_path: Path) -> str:
    """Deploy a release whose service worker changed (a copy of web/ with sw.js edited, served
    by a restarted app on the same port and database), and wait until the phone's new worker
    controls it with its cache the only one left. Returns that cache's name. (Playwright's
    routes cannot change a service worker's script: Chromium fetches it on its own.)"""
    release = tmp_path / "web-next"
    shutil.copytree(REPO_ROOT / "web", release)
    with (release / "sw.js").open("a") as script:
        script.write("// the next release\n")
    before = await shell_cache(app_server)
    await asyncio.to_thread(app_server.redeploy, {"HALLWATCH_WEB_DIR": str(release)})
    cache = await shell_cache(app_server)
    # Compared on the server's side: the phone may already be fetching the new worker.
    assert cache != before, "the release changed nothing"
    await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    await wait_until(
        page,
        """async (name) => {
          const keys = (await caches.keys()).filter((key) => key.startsWith("hallwatch-shell-"));
          const controlled = Boolean(navigator.serviceWorker.controller);
          return controlled && keys.length === 1 && keys[0] === name;
        }""",
        cache,
    )
    return cache


async def test_an_enrolled_phone_works_offline_from_a_cold_start_and_every_entry_arrives_once(
    phone_browser, new_context, app_server, tmp_path
):
    enrollment = await devices.create_device("入口离线测试机", ADMIN)
    context = watch(await phone_browser())
    page = await context.new_page()
    await log_in(page, "desk", "/desk")
    await enrol(page, enrollment.code)
    await open_desk(page)
    await expect(page.locator("#sync .sync-device")).to_contain_text(enrollment.device_id)

    # A cold start of the browser with no network: the service worker serves the desk.
    await context.close()
    context = watch(await phone_browser(offline=True))
    page = await context.new_page()
    await page.goto("/desk")
    await expect(page.locator("#visitor-panel form")).to_be_visible()
    await expect(page.locator("h1")).to_have_text(zh("Entrance desk"))
    assert await page.evaluate("navigator.onLine") is False

    await record_visitor(page, "南宫晴", "13812340011", "36.6")
    notice = page.locator("#visitor-panel .alert.ok")
    await expect(notice).to_contain_text("南宫晴")
    await expect(notice).to_contain_text(zh("Saved on this phone"))
    await expect(page.locator('#visitor-panel input[name="name"]')).to_have_value("")

    # An abnormal first reading asks for a re-measure; an abnormal re-measure holds, offline.
    await record_visitor(page, "西门吹雪", "13812340012", "38.2")
    await expect(page.locator("#visitor-panel .alert.warn")).to_contain_text("38.2")
    await remeasure(page, "visitor", "38.5")
    hold = page.locator("#visitor-panel .alert.hold")
    await expect(hold).to_contain_text("西门吹雪")
    await expect(hold).to_contain_text("38.5")
    await expect(hold.locator("h3")).to_have_text(zh("HOLD: keep this person here"))
    await expect(hold.locator("ol li")).to_have_count(4)
    await page.click("#visitor-panel button.next")

    # Symptoms with travel hold at once.
    await record_visitor(page, "独孤求败", "13812340013", "36.5", symptoms=["cough"], travel=True)
    await expect(hold).to_contain_text(zh("Symptoms with travel or contact in the last 14 days"))
    await page.click("#visitor-panel button.next")

    # A misread is refused with the valid range, and nothing is kept.
    await record_visitor(page, "公孙止", "13812340014", "45")
    error = page.locator("#visitor-panel #temperature-error")
    for number in ("45", "34", "43"):
        await expect(error).to_contain_text(number)
    await expect(page.locator('#visitor-panel input[name="name"]')).to_have_value("公孙止")
    await page.locator('#visitor-panel input[name="name"]').fill("")

    staff = page.locator("#staff-panel")
    person = staff.locator('select[name="person"] option[value]:not([value=""])').first
    person_id, person_name = await person.get_attribute("value"), await person.inner_text()
    await staff.locator('select[name="person"]').select_option(person_id)
    await staff.locator('input[name="temperature"]').fill("36.4")
    await staff.locator("button.primary").click()
    await expect(staff.locator(".alert.ok")).to_contain_text(person_name)

    queued = page.locator("#today .entry.sync-queued")
    await expect(queued).to_have_count(4)
    await expect(entry(page, "西门吹雪")).to_have_class(re.compile("status-held"))
    await expect(entry(page, "公孙止")).to_have_count(0)
    await expect(page.locator("#sync-badge .unsent")).to_contain_text("4")
    mutations = await page.evaluate(OUTBOX)
    assert len(mutations) == 5  # four first readings and one re-measure
    assert {m["mutation"]["by"] for m in mutations} == {await desk_user_id()}

    # A reload with no network: still listed, still queued.
    await page.reload()
    await expect(queued).to_have_count(4)

    # Back online but the sync routes fail: a new service worker installs meanwhile.
    await context.route("**/sync/**", lambda route: route.abort())
    await context.set_offline(False)
    await deploy_new_release(app_server, page, tmp_path)
    await page.reload()
    await expect(queued).to_have_count(4)
    assert await unsent_ids(page) == [m["id"] for m in mutations]

    # A restart of the browser with entries queued, then the connection is back for good.
    await context.close()
    context = watch(await phone_browser())
    page = await context.new_page()
    await page.goto("/desk")
    await expect(page.locator("#today .entry.sync-synced")).to_have_count(4)
    await expect(page.locator("#today .entry.sync-queued")).to_have_count(0)
    await expect(page.locator("#sync-badge .unsent")).to_have_text("")

    stored = await stored_once(["南宫晴", "西门吹雪", "独孤求败"])
    assert (stored["西门吹雪"]["temperature"], stored["西门吹雪"]["remeasure_temperature"]) == (
        38.2,
        38.5,
    )
    assert stored["西门吹雪"]["status"] == "held" and stored["独孤求败"]["status"] == "held"
    assert {r["device"] for r in stored.values()} == {enrollment.device_id}
    assert {r["recorded_by"] for r in stored.values()} == {await desk_user_id()}
    staff_rows = await StaffCheck.select(StaffCheck.device).where(
        StaffCheck.id == mutations[-1]["mutation"]["entity_id"]
    )
    assert staff_rows == [{"device": enrollment.device_id}]
    await assert_applied_once([m["mutation"] for m in mutations])

    office = await (await new_context()).new_page()
    await log_in(office, "office", "/dashboard")
    await office.goto("/office?q=西门吹雪")
    await expect(office.locator("#results tbody tr.status-held")).to_contain_text("西门吹雪")


async def desk_page(new_context, **options) -> tuple[BrowserContext, Page]:
    """A desk browser that is not enrolled: it syncs with the login session."""
    context = watch(await new_context(**options))
    page = await context.new_page()
    await log_in(page, "desk", "/desk")
    await open_desk(page)
    return context, page


async def test_a_push_whose_answer_is_lost_is_sent_again_and_stored_once(new_context):
    context, page = await desk_page(new_context)
    await context.set_offline(True)
    await record_visitor(page, "慕容复", "13812340021", "36.7")
    await expect(entry(page, "慕容复")).to_have_class(re.compile("sync-queued"))
    [queued] = await page.evaluate(OUTBOX)

    answers = []
    lost = asyncio.Event()

    async def lose_the_first_answer(route: Route) -> None:
        response = await route.fetch()  # the server stores the batch and answers ...
        answers.append(await response.json())
        if lost.is_set():
            await route.fulfill(response=response)
        else:
            lost.set()
            await route.abort()  # ... and the phone never hears it

    await context.route("**/sync/push", lose_the_first_answer)
    await context.set_offline(False)
    await asyncio.wait_for(lost.wait(), 10)
    await page.click("#sync .sync-now")

    await expect(entry(page, "慕容复")).to_have_class(re.compile("sync-duplicate"))
    await expect(entry(page, "慕容复")).to_contain_text(zh("Already on the server"))
    assert [a["results"][0]["status"] for a in answers] == ["applied", "duplicate"]
    assert await unsent_ids(page) == []
    await stored_once(["慕容复"])
    await assert_applied_once([queued["mutation"]])


async def test_two_tabs_flush_together_without_sending_an_entry_twice(new_context):
    context, first = await desk_page(new_context)
    second = await context.new_page()
    await open_desk(second)
    sent: list[str] = []

    def note_push(request) -> None:
        if request.method == "POST" and request.url.endswith("/sync/push"):
            sent.extend(m["id"] for m in request.post_data_json["mutations"])

    context.on("request", note_push)
    await context.set_offline(True)
    names = {first: ["段正淳", "段正明", "段延庆"], second: ["刀白凤", "甘宝宝"]}
    for page, people in names.items():
        for n, name in enumerate(people):
            await record_visitor(page, name, f"1391234{n:04d}", "36.5")
            await expect(page.locator("#visitor-panel .alert.ok")).to_contain_text(name)
    for page in (first, second):  # each tab lists what the other recorded
        await expect(page.locator("#today .entry.sync-queued")).to_have_count(5)
    queued = await unsent_ids(first)

    await context.set_offline(False)  # both tabs hear `online` and flush
    for page in (first, second):
        await expect(page.locator("#today .entry.sync-synced")).to_have_count(5)
    assert sorted(sent) == sorted(queued), "every entry sent once, by one of the tabs"
    await stored_once(names[first] + names[second])


async def test_a_refused_entry_stays_with_the_reason_and_is_corrected_and_sent_again(new_context):
    context, page = await desk_page(new_context)
    # The phone's own checks refuse this number, so the entry is put in the outbox directly,
    # as an older version of the app (or a changed rule on the server) could have made it.
    entity = await page.evaluate(
        """async (by) => {
          const id = hallwatchQueue.uuid7();
          await hallwatchQueue.add([{kind: "visitor_check.create", entity_id: id, by, fields: {
            name: "欧阳锋", phone: "12345", id_number: "", purpose: "", temperature: 36.6,
            symptoms: [], symptoms_other: "", travel_or_contact: false}}]);
          return id;
        }""",
        await desk_user_id(),
    )
    await page.click("#sync .sync-now")
    refused = entry(page, "欧阳锋")
    await expect(refused).to_have_class(re.compile("sync-rejected"))
    await expect(refused).to_contain_text(zh("Please correct the marked fields."))
    await expect(refused).to_contain_text(zh("Enter an 11-digit mobile number, e.g. 13812345678"))
    await page.reload()
    await expect(refused).to_have_class(re.compile("sync-rejected"))
    [before] = await page.evaluate(OUTBOX)
    assert before["state"] == "rejected"

    await refused.locator("button.correct").click()
    panel = page.locator("#visitor-panel")
    await expect(panel.locator('input[name="name"]')).to_have_value("欧阳锋")
    await expect(panel.locator("#phone-error")).to_contain_text(
        zh("Enter an 11-digit mobile number, e.g. 13812345678")
    )
    await panel.locator('input[name="phone"]').fill("13812340031")
    await panel.locator("button.primary").click()

    await expect(refused).to_have_class(re.compile("sync-synced"))
    assert await unsent_ids(page) == []
    stored = (await stored_once(["欧阳锋"]))["欧阳锋"]
    assert str(stored["id"]) == entity and stored["phone"] == "13812340031"
    assert await AppliedMutation.count().where(AppliedMutation.entity_id == entity) >= 1


async def test_a_change_the_server_sends_to_the_office_shows_as_a_conflict(new_context):
    context, page = await desk_page(new_context)
    await context.set_offline(True)
    await record_visitor(page, "王语嫣", "13812340061", "38.6")
    await remeasure(page, "visitor", "38.7")
    await context.set_offline(False)
    held = entry(page, "王语嫣")
    await expect(held).to_have_class(re.compile("sync-synced"))
    # A correction that would turn the hold into a normal reading is never applied by
    # itself (SPEC "Offline and sync"): the server keeps the hold and asks the office.
    await page.evaluate(
        """async (by) => {
          const [{row}] = (await hallwatchQueue.rows()).filter((r) => r.row.name === "王语嫣");
          await hallwatchQueue.add([{kind: "visitor_check.update", entity_id: row.id, by,
            base_version: row.version, fields: {temperature: 36.5}}]);
          await hallwatchQueue.flush({force: true});
        }""",
        await desk_user_id(),
    )
    await expect(held).to_have_class(re.compile("sync-conflict"))
    await expect(held).to_contain_text(zh("Conflict: sent to the office"))
    await expect(held).to_have_class(re.compile("status-held"))
    assert (await stored_once(["王语嫣"]))["王语嫣"]["status"] == "held"


async def test_logging_out_or_clearing_is_refused_while_entries_are_unsent_and_they_can_be_saved(
    new_context,
):
    context, page = await desk_page(new_context)
    await context.set_offline(True)
    await record_visitor(page, "段誉", "13812340041", "37.8")
    await remeasure(page, "visitor", "37.0")
    await expect(page.locator("#visitor-panel .alert.ok")).to_contain_text(
        zh("Normal on re-measure")
    )

    refusal = page.locator("#outbox-alert")
    await page.click('form[action="/logout"] button')
    await expect(refusal).to_be_visible()
    await expect(refusal).to_contain_text("1")
    assert page.url.endswith("/desk")
    await refusal.evaluate("alert => { alert.hidden = true; }")
    await page.click("#sync .clear-data")
    await expect(refusal).to_be_visible()
    assert len(await unsent_ids(page)) == 2

    async with page.expect_download() as saving:
        await refusal.locator("button.export").click()
    saved = json.loads((await (await saving.value).path()).read_text())
    records = await page.evaluate(OUTBOX)
    assert {k: saved[k] for k in ("format", "version", "device")} == {
        "format": "hallwatch-outbox",
        "version": 1,
        "device": "",
    }
    assert saved["exported_at"]
    assert saved["mutations"] == [r["mutation"] for r in records]
    assert [m["kind"] for m in saved["mutations"]] == [
        "visitor_check.create",
        "visitor_check.remeasure",
    ]

    await context.set_offline(False)
    await expect(entry(page, "段誉")).to_have_class(re.compile("sync-synced"))
    await page.click('form[action="/logout"] button')
    await page.wait_for_url("**/login")
    assert await page.evaluate("async () => !(await caches.match('/desk'))")
    assert await page.evaluate("hallwatchQueue.rows()") == []  # not an enrolled phone


async def test_batch_mode_measures_a_queue_of_staff_without_leaving_the_form(new_context):
    context, page = await desk_page(new_context)
    staff = page.locator("#staff-panel")
    options = await staff.locator('select[name="person"] option[value]:not([value=""])').all()
    roster = [(await o.get_attribute("value"), await o.inner_text()) for o in options]
    unique = [(i, n) for i, n in roster if [name for _, name in roster].count(n) == 1]
    await staff.locator('input[name="batch"]').check()
    await staff.locator('input[name="direction"][value="leaving"]').check()
    finder = staff.locator(".roster-find input")
    await finder.focus()

    # Online (htmx) for the first three, then with no connection (the outbox) for two more.
    for n, (_, name) in enumerate(unique[:5]):
        if n == 3:
            await context.set_offline(True)
        await expect(finder).to_be_focused()
        await page.keyboard.type(name)
        await page.keyboard.press("Enter")
        await expect(staff.locator('input[name="temperature"]')).to_be_focused()
        await page.keyboard.type("36.5")
        await page.keyboard.press("Enter")
        await expect(staff.locator(".alert.ok")).to_contain_text(name)
        await expect(staff.locator('input[name="direction"][value="leaving"]')).to_be_checked()
        await expect(staff.locator('input[name="batch"]')).to_be_checked()
    await expect(finder).to_be_focused()

    online = [int(i) for i, _ in unique[:3]]
    rows = await StaffCheck.select(StaffCheck.person, StaffCheck.direction).where(
        StaffCheck.person.is_in(online) & (StaffCheck.temperature == 36.5)
    )
    assert sorted(r["person"] for r in rows) == sorted(online)
    assert {r["direction"] for r in rows} == {"leaving"}
    queued = await page.evaluate(OUTBOX)
    assert [r["mutation"]["fields"]["person"] for r in queued] == [int(i) for i, _ in unique[3:5]]
    assert {r["mutation"]["fields"]["direction"] for r in queued} == {"leaving"}


async def test_a_revoked_phone_keeps_its_entries_until_it_is_enrolled_again(new_context):
    revoked = await devices.create_device("入口吊销测试机", ADMIN)
    context = watch(await new_context())
    page = await context.new_page()
    await log_in(page, "desk", "/desk")
    await enrol(page, revoked.code)
    await devices.revoke(revoked.device_id, ADMIN)

    # The login used on the phone ended with its enrolment (the enrolment page synced with
    # it); logged in again, the desk says why entries stay on the phone, and how to go on.
    await page.goto("/desk")
    await page.wait_for_url(re.compile(r"/login(\?|$)"))
    await log_in(page, "desk", "/desk")
    await open_desk(page)
    await record_visitor(page, "萧远山", "13812340051", "36.6")
    auth = page.locator("#sync .sync-auth")
    await expect(auth).to_be_visible()
    await expect(auth).to_contain_text(zh(UNAUTHORISED["device_revoked"]))
    await expect(auth.locator(".relogin")).to_be_hidden()
    await expect(page.locator("#sync .export")).to_be_visible()
    await expect(entry(page, "萧远山")).to_have_class(re.compile("sync-queued"))
    assert len(await unsent_ids(page)) == 1
    assert await VisitorCheck.count().where(VisitorCheck.name == "萧远山") == 0

    renewed = await devices.create_device("入口吊销测试机", ADMIN)
    await enrol(page, renewed.code)
    await page.goto("/desk")
    # The enrolment page starts sending at once; leaving it may cut that answer off, and the
    # desk's own flush then hears "already on the server". Either way: stored once.
    await expect(entry(page, "萧远山")).to_have_class(re.compile("sync-(synced|duplicate)"))
    await expect(auth).to_be_hidden()
    stored = (await stored_once(["萧远山"]))["萧远山"]
    assert stored["device"] == renewed.device_id


async def test_the_desk_shows_how_far_the_phone_clock_is_off(new_context):
    context = watch(await new_context())

    async def server_ahead(route: Route) -> None:
        response = await route.fetch()
        body = await response.json()
        ahead = dt.datetime.fromisoformat(body["server_time"]) + dt.timedelta(minutes=12)
        await route.fulfill(response=response, json={**body, "server_time": ahead.isoformat()})

    await context.route("**/sync/pull*", server_ahead)
    page = await context.new_page()
    await log_in(page, "desk", "/desk")
    drift = page.locator("#sync .sync-drift")
    await expect(drift).to_be_visible()
    await expect(drift).to_contain_text("12")


async def test_a_newer_version_upgrades_the_outbox_in_place_while_a_desk_tab_is_open(new_context):
    context = await new_context()  # not watched: this version cannot open the upgraded database
    page = await context.new_page()
    await log_in(page, "desk", "/desk")
    await open_desk(page)
    await context.set_offline(True)
    await record_visitor(page, "钟灵", "13812340071", "36.5")
    await expect(entry(page, "钟灵")).to_have_class(re.compile("sync-queued"))
    queued = await page.evaluate(OUTBOX)
    await page.evaluate("window.beforeTheUpgrade = true")

    # What a later version of queue.js does: the next DB_VERSION, adding to what is there.
    # (The connection comes back meanwhile, but the entry cannot be sent yet.)
    await context.route("**/sync/**", lambda route: route.abort())
    await context.set_offline(False)
    newer = await context.new_page()
    await newer.goto("/manifest.webmanifest")  # same origin, none of this version's scripts
    upgraded = await newer.evaluate(
        """() => new Promise((resolve, reject) => {
          const request = indexedDB.open("hallwatch", 2);
          request.onupgradeneeded = () => request.result.createObjectStore("added_later");
          request.onsuccess = () => {
            const db = request.result;
            const read = db.transaction("outbox").objectStore("outbox").getAll();
            read.onsuccess = () => resolve({stores: [...db.objectStoreNames], outbox: read.result});
          };
          request.onerror = () => reject(request.error);
        })"""
    )
    assert upgraded["stores"] == ["added_later", "meta", "outbox", "rows"]
    assert upgraded["outbox"] == queued
    # The open desk tab stepped aside (so the upgrade was not blocked) and reloads into the
    # new version.
    await page.wait_for_function("!window.beforeTheUpgrade")


async def test_logging_out_of_an_enrolled_phone_keeps_only_todays_synced_entries(new_context):
    enrollment = await devices.create_device("入口交班测试机", ADMIN)
    context = watch(await new_context())
    page = await context.new_page()
    await log_in(page, "desk", "/desk")
    await enrol(page, enrollment.code)
    await open_desk(page)
    await record_visitor(page, "交班今日", "13812340061", "36.5")
    await expect(entry(page, "交班今日")).to_have_class(re.compile("sync-synced"))
    # Logging out is refused while the outbox holds anything: start from an empty one.
    await wait_until(page, "async () => (await hallwatchQueue.records()).length === 0")
    # Yesterday's entry, as an earlier shift's pull left it on the phone.
    await page.evaluate(
        """() => hallwatchQueue.putRows([{entity: "visitor_check", row: {
             id: "0190a0a0-0000-7000-8000-000000000001", name: "交班昨日",
             phone: "138****0062", temperature: 36.6, status: "normal",
             time_in: new Date(Date.now() - 86400000).toISOString()}}])"""
    )
    await page.click('form[action="/logout"] button')
    await page.wait_for_url("**/login")
    names = await page.evaluate("async () => (await hallwatchQueue.rows()).map((r) => r.row.name)")
    assert "交班今日" in names and "交班昨日" not in names
    assert await page.evaluate("async () => Boolean(await hallwatchQueue.getMeta('device'))")
