"""The duty roster through HTTP: the office's week view, planning (replays and refusals),
copy last week, the gap check as a page and an htmx partial, the head's own department,
a staff member's shifts on /me and their duty log."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.duty.rules import week_of
from server.duty.tables import DutyLogEntry, DutyShift
from server.org.tables import Person
from tests.support import csrf_from

EN = {"accept-language": "en"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def monday():
    return week_of(clock.today())


async def person_id(name: str) -> int:
    return (await Person.select(Person.id).where(Person.name == name).first())["id"]


async def someone_of(department: str) -> int:
    row = (
        await Person.select(Person.id)
        .where((Person.department.name == department) & (Person.group_role == ""))
        .first()
    )
    return row["id"]


async def people_of(department: str, count: int) -> list[int]:
    rows = await Person.select(Person.id).where(
        (Person.department.name == department) & (Person.group_role == "")
    )
    return [r["id"] for r in rows[:count]]


async def plan(client, day, **fields):
    page = soup(await client.get(f"/duty?week={day}"))
    form = {i["name"]: i.get("value", "") for i in page.select("#add-shift input[type=hidden]")}
    form |= {"day": str(day), **fields}
    return form, await client.post("/duty/shifts", data=form, follow_redirects=False)


async def test_office_plans_a_window_shift_once_and_sees_it_in_the_week(client_as, monday):
    person = await someone_of("区税务局")
    async with client_as("office") as office:
        form, first = await plan(office, monday, post="window", window="D01", person=str(person))
        assert first.status_code == 303
        again = await office.post("/duty/shifts", data=form, follow_redirects=False)
        assert again.status_code == 303
        page = soup(await office.get(f"/duty?week={monday}"))
    assert await DutyShift.count().where(DutyShift.person == person) == 1
    row = page.select_one('#duty-week tr[data-window="D01"]')
    cell = row.select_one(f'td[data-day="{monday}"]')
    assert "08:30–17:00" in cell.text and "gap" not in (cell.get("class") or [])
    assert "gap" in row.select_one(f'td[data-day="{monday + dt.timedelta(days=1)}"]')["class"]


async def test_a_bad_shift_is_refused_in_chinese_and_keeps_the_form(client_as, monday):
    async with client_as("office") as office:
        form, response = await plan(
            office, monday, post="window", window="", person="", start="9点", end=""
        )
    assert response.status_code == 422
    page = soup(response)
    errors = {e["id"]: e.text for e in page.select(".field-error")}
    assert set(errors) == {"window-error", "person-error", "start-error"}
    assert "HH:MM" in errors["start-error"] and "请" in errors["person-error"]
    assert page.select_one('#add-shift input[name="start"]')["value"] == "9点"
    assert page.select_one('#add-shift input[name="entry_id"]')["value"] == form["entry_id"]


async def test_copy_last_week_twice_adds_nothing_the_second_time(client_as, monday):
    last = monday - dt.timedelta(days=7)
    async with client_as("office") as office:
        hall, phone = await people_of("政务服务中心", 2)  # one person serves one post at a time
        for post, person, extra in (
            ("hall", hall, {}),
            ("phone", phone, {"phone": "0632-5512345"}),
        ):
            _, done = await plan(office, last, post=post, person=str(person), **extra)
            assert done.status_code == 303, done.text[:300]
        token = csrf_from((await office.get("/duty")).text)
        counts = []
        for _ in range(2):
            response = await office.post(
                "/duty/copy", data={"week": str(monday), "_csrf_token": token},
                follow_redirects=False,
            )  # fmt: skip
            assert response.status_code == 303
            counts.append(parse_qs(urlsplit(response.headers["location"]).query)["copied"][0])
        page = soup(await office.get(response.headers["location"], headers=EN))
    assert int(counts[0]) >= 2 and counts[1] == "0"
    assert "0" in page.select_one("#copied").text


async def test_the_gap_check_as_a_page_and_as_an_htmx_partial(client_as):
    async with client_as("leader") as leader:
        page = soup(await leader.get("/duty/gaps?days=3", headers=EN))
        partial = await leader.get("/duty/gaps?days=2", headers={"hx-request": "true", **EN})
        silly = soup(await leader.get("/duty/gaps?days=-4", headers=EN))
    assert page.select_one("#duty-gaps") and page.select_one("header.top")
    days = {li.select_one(".time").text[:5] for li in page.select("#duty-gaps li.gap")}
    assert len(days) == 3  # nobody leads any of those days yet
    assert "<html" not in partial.text and soup(partial).select_one("#duty-gaps")
    assert "7" in silly.select_one("#duty-gaps h2").text


async def test_a_head_plans_only_their_department(client_as, monday):
    own, other = await someone_of("办公室"), await someone_of("档案室")
    day = monday + dt.timedelta(days=2)
    async with client_as("head") as head:
        _, refused = await plan(head, day, post="hall", person=str(other))
        _, done = await plan(head, day, post="hall", person=str(own), start="13:00", end="17:00")
        page = soup(await head.get("/duty?department=&week=" + str(monday)))
    assert refused.status_code == 422 and done.status_code == 303
    assert page.select_one('select[name="department"]') is None
    options = {
        o["value"] for o in page.select('#add-shift select[name="person"] option') if o["value"]
    }
    assert str(own) in options and str(other) not in options
    shown = {a.text.split()[0] for a in page.select("#duty-week a.shift")}
    names = {
        r["name"]
        for r in await Person.select(Person.name).where(Person.department.name == "办公室")
    }
    assert shown and shown <= names
    assert page.select_one('#duty-week tr[data-post="leader"]') is None


async def test_staff_see_their_shifts_on_me_and_keep_the_duty_log(client_as, monday):
    me = await person_id("王萍")
    async with client_as("office") as office:
        _, done = await plan(office, clock.today(), post="hall", person=str(me))
        assert done.status_code == 303
    shift = await DutyShift.select().where(DutyShift.person == me).first()
    async with client_as("staff") as staff:
        mine = soup(await staff.get("/me"))
        link = mine.select_one(f'#my-shifts a[href="/duty/shifts/{shift["id"]}"]')
        assert link is not None
        page = soup(await staff.get(link["href"]))
        # The zero report is not a staff member's to open (403), so no link to it.
        assert page.select_one('main a[href^="/zero-report"]') is None
        assert (await staff.get(f"/zero-report/?day={shift['day']}")).status_code == 403
        assert page.select_one('form[action$="/delete"]') is None
        form = {i["name"]: i.get("value", "") for i in page.select("#duty-log input[type=hidden]")}
        form |= {"kind": "handover", "text": "额温枪交给下一班"}
        for _ in range(2):  # a resubmitted form logs once
            await staff.post(f"/duty/shifts/{shift['id']}/log", data=form)
        empty = await staff.post(
            f"/duty/shifts/{shift['id']}/log", data={**form, "entry_id": "", "text": ""}
        )
        page = soup(await staff.get(f"/duty/shifts/{shift['id']}"))
        other = await DutyShift.select().where(DutyShift.person != me).first()
        refused = await staff.get(f"/duty/shifts/{other['id']}")
    assert empty.status_code == 422
    assert [li.select_one(".name").text for li in page.select("#duty-log li")] == [
        "额温枪交给下一班"
    ]
    assert refused.status_code == 403


async def own_shift_page(head, day: dt.date, start: str, end: str) -> BeautifulSoup:
    """The head plans a hall shift of their own on `day` and opens its page."""
    me = await person_id("王萍")
    _, done = await plan(head, day, post="hall", person=str(me), start=start, end=end)
    assert done.status_code == 303
    planned = (DutyShift.person == me) & (DutyShift.day == day) & (DutyShift.start == start)
    shift = await DutyShift.select(DutyShift.id).where(planned).first()
    return soup(await head.get(f"/duty/shifts/{shift['id']}"))


async def test_a_shift_to_come_has_no_zero_report_link(client_as):
    async with client_as("head") as head:
        page = await own_shift_page(head, clock.today() + dt.timedelta(days=2), "06:00", "07:00")
    assert page.select_one('main a[href^="/zero-report/"]') is None


async def test_the_duty_log_links_to_the_days_zero_report(client_as):
    async with client_as("head") as head:
        day = clock.today() - dt.timedelta(days=1)
        page = await own_shift_page(head, day, "07:00", "08:00")
        link = page.select_one('main a[href^="/zero-report/"]')
        assert link is not None, "the head may open the zero report: the log links to it"
        report = await head.get(link["href"])
    assert report.status_code == 200
    shown = soup(report).select_one('form.day-picker input[name="day"]')
    assert shown["value"] == day.isoformat()


async def test_the_office_removing_a_shift_returns_to_its_departments_week(client_as, monday):
    person = await someone_of("区税务局")
    day = monday + dt.timedelta(days=2)
    async with client_as("office") as office:
        await plan(office, day, post="window", window="D01", person=str(person))
        shift = (
            await DutyShift.select()
            .where((DutyShift.person == person) & (DutyShift.day == day))
            .first()
        )
        token = csrf_from((await office.get("/duty")).text)
        removed = await office.post(
            f"/duty/shifts/{shift['id']}/delete",
            data={"_csrf_token": token},
            follow_redirects=False,
        )
    query = parse_qs(urlsplit(removed.headers["location"]).query)
    assert query["department"] == [str(shift["department"])]
    assert query["week"] == [monday.isoformat()]


async def test_a_shift_with_a_log_cannot_be_removed_but_an_empty_one_can(client_as, monday):
    me = await person_id("王萍")
    day = monday + dt.timedelta(days=4)
    async with client_as("head") as head:
        _, done = await plan(head, day, post="hall", person=str(me), start="08:00", end="09:00")
        # The one just planned: on a Friday the day is today, whose shift of 王萍 an earlier
        # test gave a log.
        planned = (DutyShift.person == me) & (DutyShift.day == day) & (DutyShift.start == "08:00")
        shift = await DutyShift.select().where(planned & (DutyShift.post == "hall")).first()
        token = csrf_from((await head.get("/duty")).text)
        removed = await head.post(
            f"/duty/shifts/{shift['id']}/delete",
            data={"_csrf_token": token},
            follow_redirects=False,
        )
        logged = await DutyLogEntry.select(DutyLogEntry.shift).first()
        kept = await head.post(
            f"/duty/shifts/{logged['shift']}/delete", data={"_csrf_token": token}
        )
    assert (
        removed.status_code == 303
        and await DutyShift.count().where(DutyShift.id == shift["id"]) == 0
    )
    assert kept.status_code == 422 and soup(kept).select_one(".alert.error")
