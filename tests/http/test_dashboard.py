"""The office's dashboard through HTTP: today's figures from the records (desk, staff
declarations, zero reports), open incidents with their deadline and overdue ones in red there
and on their page, the 14-day trend, and the htmx refresh."""

import datetime as dt
import re

from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.checks import service as checks
from server.declarations.service import submit_declaration
from server.i18n import translate
from server.incidents.service import raise_incident
from server.org.tables import Department, Person
from server.policy.service import Policy, store_setting
from server.policy.tables import Setting
from sync.ids import new_entry_id
from tests.support import csrf_from

DESK = Actor(username="desk")
OFFICE = Actor(username="office")
NORMAL = {
    "temperature": "36.5",
    "symptoms": [],
    "left_city": "no",
    "outbreak_contact": "no",
    "household_symptoms": "no",
    "work_mode": "on_site",
}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def figure(page: BeautifulSoup, name: str) -> int:
    return int(page.select_one(f".tiles strong.{name}").text)


async def visitor(name: str, temperature: str, at: dt.datetime, remeasure: str = "") -> None:
    entry = new_entry_id()
    values = {"name": name, "phone": "13800001234", "temperature": temperature}
    await checks.record_visitor_check(entry, values, DESK, Policy(), now=at)
    if remeasure:
        await checks.remeasure_visitor(entry, remeasure, DESK, Policy())


async def test_the_dashboard_counts_today_and_lists_the_open_incident(client_as, seeded):
    async with client_as("office") as office:
        before = soup(await office.get("/dashboard/"))
        now = clock.now()
        await visitor("看板一", "36.5", now)
        await visitor("看板二", "37.8", now, remeasure="36.9")
        await visitor("看板三", "38.2", now, remeasure="38.4")
        await visitor("三天前", "36.6", now - dt.timedelta(days=3))
        after = soup(await office.get("/dashboard/"))

    assert figure(after, "visitors") - figure(before, "visitors") == 3
    assert figure(after, "abnormal") - figure(before, "abnormal") == 2
    assert figure(after, "held") - figure(before, "held") == 1
    incident = after.select_one("li.incident", string=None)
    names = [a.text for a in after.select("li.incident .name a")]
    assert "看板三" in names and incident.select_one(".deadline")
    days = after.select(".trend-table tbody tr")
    assert len(days) == 14 and len(after.select("svg.chart g.day")) == 14
    three_days_ago = (clock.today() - dt.timedelta(days=3)).strftime("%m-%d")
    row = next(tr for tr in days if tr.td.text == three_days_ago)
    assert int(row.select("td")[1].text) >= 1


async def test_htmx_refresh_gets_the_figures_alone(client_as, seeded):
    async with client_as("leader") as leader:
        fragment = await leader.get("/dashboard/", headers={"hx-request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    block = soup(fragment).select_one("#dashboard")
    assert block["hx-trigger"] == "every 10s" and block["hx-get"] == "/dashboard/"


async def test_the_zero_reports_of_the_day_are_counted(client_as, seeded):
    async with client_as("office") as office:
        page = soup(await office.get("/dashboard/"))
    received, expected = page.select_one("strong.reports-in").text.split("/")
    states = [int(page.select_one(f"strong.reports-{s}").text) for s in ("due", "late", "missed")]
    assert int(expected) > 0 and int(received) == 0  # nothing submitted in this module
    assert sum(states) == int(expected)  # nothing in: each department due, late or missed


async def test_gaps_in_the_duty_roster_are_a_warning(client_as, seeded):
    async with client_as("office") as office:
        page = soup(await office.get("/dashboard/"))
    # Nothing is planned in this module: every day lacks its leader.
    warning = page.select_one(".duty-gaps a")
    assert warning["href"] == "/duty/gaps" and "7" in warning.text


def tile(page: BeautifulSoup, name: str) -> list[str]:
    """The classes of the tile holding a figure (warn, alarm)."""
    return page.select_one(f".tiles strong.{name}").parent["class"]


async def staff_of(department: str) -> list[int]:
    """People of a department without a login, whom no other test declares for."""
    rows = (
        await Person.select(Person.id)
        .where(
            Person.department
            == (
                await Department.select(Department.id).where(Department.name == department).first()
            )["id"]
        )
        .order_by(Person.id)
    )
    return [r["id"] for r in rows]


async def declare(person: int, answers: dict) -> None:
    await submit_declaration(
        person, answers, Actor(username="head"), Policy(), submission_id=new_entry_id(),
        by_head=True,
    )  # fmt: skip


async def test_the_staff_tiles_count_declarations_and_who_stays_home(client_as, seeded):
    well, feverish = (await staff_of("党建工作室"))[:2]
    async with client_as("office") as office:
        before = soup(await office.get("/dashboard/"))
        await declare(well, NORMAL)
        await declare(feverish, {**NORMAL, "temperature": "38.1", "symptoms": ["cough"]})
        await declare(well, NORMAL)  # amended: still one declaration
        after = soup(await office.get("/dashboard/"))
    assert figure(after, "declared") - figure(before, "declared") == 2
    assert figure(before, "missing") - figure(after, "missing") == 2
    assert figure(after, "stay-home") - figure(before, "stay-home") == 1  # the risky answers
    # Every active member of staff is either declared or not declared.
    staff = await Person.count().where(Person.active == True)  # noqa: E712
    assert figure(after, "declared") + figure(after, "missing") == staff
    assert "warn" in tile(after, "stay-home") and "warn" in tile(after, "missing")
    assert "warn" not in tile(after, "declared")


def rule(css: str, selector: str) -> str:
    """The declarations of the stylesheet's rule whose selectors include `selector`."""
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if selector in [s.strip() for s in selectors.split(",")]:
            return body
    raise AssertionError(f"no rule for {selector}")


async def test_an_overdue_incident_is_red_on_the_dashboard_and_its_page_until_reported(
    client_as, seeded
):
    now = clock.now()
    late = await raise_incident(
        "manual", None, "超时未报", "A01", "38.5 °C", now - dt.timedelta(hours=3), OFFICE
    )
    fresh = await raise_incident("manual", None, "刚刚发现", "A02", "38.1 °C", now, OFFICE)
    async with client_as("office") as office:
        board = soup(await office.get("/dashboard/"))
        response = await office.get(f"/office/incidents/{late}")
        late_page, token = soup(response), csrf_from(response.text)
        fresh_page = soup(await office.get(f"/office/incidents/{fresh}"))
        await office.post(
            f"/office/incidents/{late}/steps",
            data={
                "kind": "reported_district",
                "called": "区疾控",
                "number": "120",
                "_csrf_token": token,
            },
        )
        board_after = soup(await office.get("/dashboard/"))
        page_after = soup(await office.get(f"/office/incidents/{late}"))
        css = (await office.get("/static/app.css")).text

    rows = {li.select_one(".name a").text: li for li in board.select("li.incident")}
    names = list(rows)
    assert names.index("超时未报") < names.index("刚刚发现")  # overdue ones first
    assert "overdue" in rows["超时未报"]["class"] and rows["超时未报"].select_one(".overdue-flag")
    assert "overdue" not in rows["刚刚发现"]["class"]
    assert rows["刚刚发现"].select_one(".overdue-flag") is None
    assert late_page.select_one("section.panel.overdue .overdue-flag") is not None
    assert fresh_page.select_one("section.panel.overdue") is None
    # Reported to the district: red nowhere any more.
    rows = {li.select_one(".name a").text: li for li in board_after.select("li.incident")}
    assert "overdue" not in rows["超时未报"]["class"]
    assert page_after.select_one(".overdue, .overdue-flag") is None
    # Red is the stylesheet's hold colour, for the row, the panel and the flag.
    red, green, blue = bytes.fromhex(re.search(r"--hold:\s*#([0-9a-f]{6})", css).group(1))
    assert red > 2 * green and red > 2 * blue
    for selector in (".incident.overdue", ".panel.overdue", ".overdue-flag"):
        assert "var(--hold)" in rule(css, selector)


def due_by(when: dt.datetime) -> str:
    """The deadline line as the pages print it (in Chinese, the default)."""
    time = clock.local(when).strftime("%m-%d %H:%M")
    return translate("zh", "Report to the district by %(time)s", {"time": time})


async def test_after_the_setting_changes_the_dashboard_keeps_the_deadline_of_the_incident_page(
    client_as, seeded
):
    detected = clock.now() - dt.timedelta(minutes=10)
    raised = await raise_incident("manual", None, "改设置前", "A03", "38.3 °C", detected, OFFICE)
    await store_setting("district_report_hours", 6)
    try:
        async with client_as("office") as office:
            board = soup(await office.get("/dashboard/"))
            page = soup(await office.get(f"/office/incidents/{raised}"))
    finally:
        await Setting.delete().where(Setting.key == "district_report_hours")
    row = next(
        li for li in board.select("li.incident") if li.select_one(".name a").text == "改设置前"
    )
    # The 2 hours in force when it was raised, on both pages; not today's 6.
    expected = due_by(detected + dt.timedelta(hours=2))
    assert row.select_one(".deadline").text.strip() == expected
    assert expected in page.select_one("section.panel").text


async def test_a_cleared_incident_not_yet_closed_awaits_its_closing_not_a_district_report(
    client_as, seeded
):
    detected = clock.now() - dt.timedelta(hours=3)
    cleared = await raise_incident("manual", None, "排除待结", "A04", "37.6 °C", detected, OFFICE)
    still_open = await raise_incident(
        "manual", None, "仍未排除", "A05", "38.6 °C", detected, OFFICE
    )
    url = f"/office/incidents/{cleared}"
    async with client_as("office") as office:
        response = await office.get(url)
        step = {"kind": "cleared", "reason": "复测正常", "_csrf_token": csrf_from(response.text)}
        sent = await office.post(f"{url}/steps", data=step, follow_redirects=False)
        assert sent.status_code == 303
        board = soup(await office.get("/dashboard/"))
        page = soup(await office.get(url))
        printed = soup(await office.get(f"{url}/print"))
        open_page = soup(await office.get(f"/office/incidents/{still_open}"))
    rows = {li.select_one(".name a").text: li for li in board.select("li.incident")}
    assert rows["排除待结"].select_one(".deadline") is None
    assert rows["排除待结"].select_one(".awaiting-closing").text.strip() == "已排除，待结案"
    assert "overdue" not in rows["排除待结"]["class"]
    never_due = due_by(detected + dt.timedelta(hours=2))
    assert never_due not in page.text and never_due not in printed.text
    assert "尚未报告区里" not in printed.text
    # Still open, the other one is owed to the district and shows it.
    assert rows["仍未排除"].select_one(".deadline").text.strip() == never_due
    assert never_due in open_page.select_one("section.panel").text
