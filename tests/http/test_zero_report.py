"""The daily zero report through HTTP with a controlled clock: the head's prefilled form,
submission, replay and amendment; refusals with translated messages; the reminder on /me and
the job's notifications; the office submitting on a department's behalf and marking one not
applicable; the mismatch flag shown to the office only."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.accounts.tables import UserAccount
from server.audit.service import Actor
from server.checks import service as checks
from server.declarations.service import submit_declaration
from server.notify.zero_reports import watch_zero_reports
from server.org.tables import Department, Person
from server.policy.service import Policy
from server.reports.tables import ZeroReport, ZeroReportVersion
from sync.ids import new_entry_id
from tests.support import csrf_from

DAY = clock.today() + dt.timedelta(days=40)
HTMX = {"hx-request": "true"}


def local(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    start, _ = clock.day_bounds(day)
    return start + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture
def at(monkeypatch):
    """`at(8, 30)` sets the app's clock to that local time of DAY."""

    def set_time(hour: int, minute: int = 0, day: dt.date = DAY) -> None:
        moment = local(hour, minute, day)
        monkeypatch.setattr(clock, "now", lambda: moment)

    return set_time


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def department(name: str) -> int:
    return (await Department.select(Department.id).where(Department.name == name).first())["id"]


def round_form(page: BeautifulSoup, round_: str = "am") -> tuple[str, dict]:
    form = page.select_one(f"#round-{round_} form.zero-form")
    values = {i["name"]: i.get("value", "") for i in form.select("input")}
    return form["hx-post"], values


async def logged_in(client, path="/zero-report/"):
    client.headers["x-csrftoken"] = csrf_from((await client.get(path)).text)
    return client


@pytest.fixture(scope="module")
async def fever_in_office(seeded):
    """A member of the head's department (办公室) with a fever at the desk at 08:00."""
    office = await department("办公室")
    person = await Person.select(Person.id).where(Person.department == office).first()
    form = {"person": str(person["id"]), "direction": "arrival", "temperature": "38.3"}
    await checks.record_staff_check(
        new_entry_id(), form, Actor(username="desk"), Policy(), now=local(8)
    )
    return office


async def test_head_submits_the_prefilled_form_once_then_amends_it(client_as, fever_in_office, at):
    at(9, 0)
    async with client_as("head") as head:
        await logged_in(head)
        page = soup(await head.get("/zero-report/"))
        assert page.select_one("#round-am .status.zero-due") is not None
        action, form = round_form(page)
        assert form["fever"] == "1", "prefilled from the desk's reading"
        for _ in range(2):  # the same form twice: one report, one version
            response = await head.post(action, data=form, headers=HTMX)
            assert response.status_code == 200 and "<html" not in response.text
        widget = soup(response)
        assert widget.select_one("#round-am .status.zero-on_time") is not None
        report = await ZeroReport.select().where(ZeroReport.department == fever_in_office).first()
        assert report["version"] == 1 and report["fever"] == 1 and not report["on_behalf"]
        at(10, 30)  # amended after the deadline: a new version, still on time
        action, form = round_form(widget)
        response = await head.post(action, data={**form, "note": "补充说明"}, headers=HTMX)
        widget = soup(response)
    assert widget.select_one("#round-am .status.zero-on_time") is not None
    assert len(widget.select("#round-am .versions li")) == 2
    assert await ZeroReport.count().where(ZeroReport.department == fever_in_office) == 1
    assert await ZeroReportVersion.count().where(ZeroReportVersion.report == report["id"]) == 2


@pytest.mark.parametrize(
    "language, negative, too_many",
    [("zh", "不能为负数", "超过本部门"), ("en", "cannot be negative", "More than the department")],
)
async def test_bad_counts_are_refused_with_translated_messages(
    client_as, seeded, at, language, negative, too_many
):
    at(9, 0, DAY + dt.timedelta(days=1))
    async with client_as("head") as head:
        await logged_in(head)
        head.headers["accept-language"] = language
        action, form = round_form(soup(await head.get("/zero-report/")))
        bad = {**form, "on_site": "-1", "fever": "999", "note": "保留的备注"}
        response = await head.post(action, data=bad, headers=HTMX)
    assert response.status_code == 422
    widget = soup(response)
    assert negative in widget.select_one("#on_site-error").text
    assert too_many in widget.select_one("#fever-error").text
    assert widget.select_one('input[name="note"]')["value"] == "保留的备注"
    assert widget.select_one('input[name="entry_id"]')["value"] == form["entry_id"]
    assert await ZeroReportVersion.count().where(ZeroReportVersion.id == form["entry_id"]) == 0


async def test_the_head_is_reminded_until_the_report_is_in(client_as, seeded, at):
    day = DAY + dt.timedelta(days=2)
    at(9, 0, day)  # before logging in: the session's age runs on the same clock
    async with client_as("head") as head:
        banner = soup(await head.get("/me")).select_one(".zero-reminder")
        assert "warn" in banner["class"] and "10:00" in banner.text
        at(10, 1, day)
        banner = soup(await head.get("/me")).select_one(".zero-reminder")
        assert "error" in banner["class"]
        await logged_in(head)
        action, form = round_form(soup(await head.get("/zero-report/")))
        await head.post(action, data=form, headers=HTMX)
        assert soup(await head.get("/me")).select_one(".zero-reminder") is None
        board = soup(await head.get("/zero-report/"))
    assert board.select_one("#round-am .status.zero-late") is not None


async def test_office_on_behalf_not_applicable_and_the_mismatch_flag(client_as, seeded, at):
    day = DAY + dt.timedelta(days=3)
    archive, politics = await department("档案室"), await department("政工室")
    person = await Person.select(Person.id).where(Person.department == archive).first()
    form = {"person": str(person["id"]), "direction": "arrival", "temperature": "38.8"}
    await checks.record_staff_check(
        new_entry_id(), form, Actor(username="desk"), Policy(), now=local(8, 0, day)
    )
    at(9, 30, day)
    async with client_as("office") as office:
        await logged_in(office)
        page = soup(await office.get(f"/zero-report/{archive}"))
        action, form = round_form(page)
        response = await office.post(action, data={**form, "fever": "0"}, headers=HTMX)
        widget = soup(response)
        assert "代" in widget.select_one(".current").text  # on the department's behalf
        assert widget.select_one(".mismatch") is not None
        page = soup(await office.get(f"/zero-report/{politics}"))
        na = page.select_one("#round-am details.not-applicable form")
        values = {i["name"]: i.get("value", "") for i in na.select("input")}
        refused = await office.post(na["hx-post"], data=values, headers=HTMX)
        assert refused.status_code == 422 and soup(refused).select_one("#note-error")
        await office.post(na["hx-post"], data={**values, "note": "全员外出培训"}, headers=HTMX)
        board = soup(await office.get("/zero-report/"))
    row = board.select_one(f'tr[data-department="{archive}"][data-round="am"]')
    assert "has-mismatch" in row["class"] and "zero-on_time" in row["class"]
    row = board.select_one(f'tr[data-department="{politics}"]')
    assert "zero-not_applicable" in row["class"]
    report = await ZeroReport.select().where(ZeroReport.department == archive).first()
    # Named as the person, not the login: the district reads it.
    office_name = await UserAccount.select(UserAccount.display_name).where(
        UserAccount.username == "office"
    )
    assert report["on_behalf"] and report["submitted_by"] == office_name[0]["display_name"] != ""
    async with client_as("head") as head:  # the head's page does not show the office's flag
        assert soup(await head.get("/zero-report/")).select_one(".mismatch") is None


async def test_reports_for_days_to_come_are_refused(client_as, seeded, at):
    at(9, 0)
    tomorrow = (DAY + dt.timedelta(days=1)).isoformat()
    async with client_as("head") as head:
        await logged_in(head)
        own = await department("办公室")
        _, form = round_form(soup(await head.get("/zero-report/")))
        response = await head.post(f"/zero-report/{own}/{tomorrow}/am", data=form, headers=HTMX)
    assert response.status_code == 422
    assert await ZeroReportVersion.count().where(ZeroReportVersion.id == form["entry_id"]) == 0


async def notices(client, kind: str) -> list:
    return soup(await client.get("/notifications")).select(f".notification-{kind}")


async def test_the_jobs_reminder_and_late_notice_reach_the_head_and_the_office(
    client_as, seeded, at
):
    day = DAY + dt.timedelta(days=4)
    at(9, 30, day)
    await watch_zero_reports(clock.now())
    async with client_as("head") as head:
        [entry] = await notices(head, "zero_report_reminder")
        assert "请在 10:00 前报送办公室的零报告" in entry.text and "urgent" in entry["class"]
        await logged_in(head)
        action, form = round_form(soup(await head.get(entry.select_one("a.name")["href"])))
        await head.post(action, data=form, headers=HTMX)
    at(10, 1, day)
    await watch_zero_reports(clock.now())
    async with client_as("office") as office:
        [entry] = await notices(office, "zero_report_late")
        assert "零报告迟报" in entry.text and "档案室" in entry.text and "办公室" not in entry.text
        board = soup(await office.get(entry.select_one("a.name")["href"]))
    late = board.select('tr.zero-late[data-round="am"]')
    assert late and str(await department("办公室")) not in {r["data-department"] for r in late}


async def test_a_case_awaiting_the_offices_judgement_shows_beside_the_report(client_as, seeded, at):
    """A risky declaration is no suspected case until the office judges it so: the form's
    suspected count stays 0, with the case beside it, and the office's board counts it."""
    day = DAY + dt.timedelta(days=5)
    unit = await department("政策法规室")
    person = await Person.select(Person.id).where(Person.department == unit).first()
    answers = {
        "temperature": "36.4", "symptoms": [], "left_city": "yes", "left_city_where": "北京",
        "outbreak_contact": "no", "household_symptoms": "no", "work_mode": "on_site",
    }  # fmt: skip
    await submit_declaration(
        person["id"], answers, Actor(username="staff"), Policy(),
        submission_id=new_entry_id(), now=local(8, 0, day),
    )  # fmt: skip
    at(9, 0, day)
    async with client_as("office") as office:
        page = soup(await office.get(f"/zero-report/{unit}"))
        board = soup(await office.get("/zero-report/"))
    _, form = round_form(page)
    assert form["suspected"] == "0"
    assert "另有 1 人待办公室研判" in page.select_one("#round-am .pending-review").text
    assert board.select_one(".zero-chip-pending-review strong").text == "1"
