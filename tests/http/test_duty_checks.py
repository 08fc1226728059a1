"""The duty roster's checks through HTTP: one person serves one post at a time (planning and
copying), staff at home or absent sick leave their window empty, copying keeps to the
department in view, the duty log names people, and bad "days ahead" or phone numbers are
refused with a message instead of being replaced or cut."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.audit.service import SYSTEM
from server.db import write_transaction
from server.declarations.status import change_state
from server.declarations.tables import WorkState
from server.duty.rules import week_of
from server.duty.tables import DutyShift
from server.org.tables import Person
from tests.support import csrf_from

EN = {"accept-language": "en"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def next_open_day(days_ahead: int = 0) -> dt.date:
    """A weekday (the hall opens Monday–Friday) on or after today + `days_ahead`."""
    day = clock.today() + dt.timedelta(days=days_ahead)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return day


async def members(department: str) -> list[int]:
    """The department's people outside the leading group."""
    rows = await Person.select(Person.id).where(
        (Person.department.name == department) & (Person.group_role == "")
    )
    return [r["id"] for r in rows]


async def plan(client, day, headers=None, **fields):
    page = soup(await client.get(f"/duty?week={day}"))
    form = {i["name"]: i.get("value", "") for i in page.select("#add-shift input[type=hidden]")}
    form |= {"day": str(day), **fields}
    response = await client.post(
        "/duty/shifts", data=form, headers=headers or {}, follow_redirects=False
    )
    return form, response


async def test_a_person_on_one_post_cannot_fill_another_at_the_same_time(client_as):
    person = (await members("区市场监督管理局"))[0]
    day = next_open_day(1)
    async with client_as("office") as office:
        _, first = await plan(office, day, post="window", window="A01", person=str(person))
        assert first.status_code == 303
        refused = {}
        for post, extra in (
            ("window", {"window": "B01"}),
            ("hall", {"start": "13:00", "end": "14:00"}),
            ("phone", {"phone": "0632-5512345"}),
        ):
            form, refused[post] = await plan(office, day, post=post, person=str(person), **extra)
        _, after_hours = await plan(
            office, day, post="hall", person=str(person), start="17:00", end="18:00"
        )
        _, english = await plan(
            office, day, headers=EN, post="window", window="B02", person=str(person)
        )
    assert {post: r.status_code for post, r in refused.items()} == dict.fromkeys(refused, 422)
    window = soup(refused["window"])
    error = window.select_one("#add-shift .field-error").text
    assert "A01" in error and "08:30–17:00" in error and "重叠" in error, error
    assert window.select_one('#add-shift select[name="window"] option[selected]')["value"] == "B01"
    kept = soup(refused["phone"]).select_one('#add-shift input[name="phone"]')["value"]
    assert kept == "0632-5512345"
    assert "overlaps" in soup(english).select_one("#add-shift .field-error").text
    assert after_hours.status_code == 303  # one ends when the other starts: no overlap
    hours = await DutyShift.select(DutyShift.post, DutyShift.start).where(
        (DutyShift.person == person) & (DutyShift.day == day)
    )
    assert sorted((h["post"], h["start"]) for h in hours) == [
        ("hall", "17:00"),
        ("window", "08:30"),
    ]


async def test_copying_last_week_skips_a_shift_that_would_overlap_and_says_so(client_as):
    person = (await members("区人力资源和社会保障局"))[0]
    monday = week_of(clock.today()) + dt.timedelta(days=21)
    async with client_as("office") as office:
        _, done = await plan(
            office, monday - dt.timedelta(days=7), post="window", window="B01", person=str(person)
        )
        assert done.status_code == 303
        _, done = await plan(
            office, monday, post="hall", person=str(person), start="12:00", end="13:00"
        )
        assert done.status_code == 303
        token = csrf_from((await office.get("/duty")).text)
        copied = await office.post(
            "/duty/copy", data={"week": str(monday), "_csrf_token": token}, follow_redirects=False
        )
        query = parse_qs(urlsplit(copied.headers["location"]).query)
        page = soup(await office.get(copied.headers["location"]))
    assert query["copied"] == ["0"] and query["skipped"] == ["1"]
    assert "1" in page.select_one("#copy-skipped").text and "重叠" in page.text
    assert (
        await DutyShift.count().where((DutyShift.person == person) & (DutyShift.day == monday)) == 1
    )


async def test_someone_at_home_or_absent_sick_leaves_their_window_empty(client_as):
    day = next_open_day()
    at_home, sick = (await members("区不动产登记中心"))[:2]
    async with client_as("office") as office:
        for window, person in (("C01", at_home), ("C02", sick)):
            _, done = await plan(office, day, post="window", window=window, person=str(person))
            assert done.status_code == 303
        before = soup(await office.get("/duty/gaps?days=7"))
        async with write_transaction():
            await change_state(at_home, WorkState.stay_home, "declaration", SYSTEM)
            await change_state(sick, WorkState.sick_absent, "sick_absence", SYSTEM)
        after = soup(await office.get("/duty/gaps?days=7"))
        week = soup(await office.get(f"/duty?week={day}"))
    names = {
        r["id"]: r["name"]
        for r in await Person.select(Person.id, Person.name).where(Person.id.is_in([at_home, sick]))
    }

    def gap_of(page, code):
        return [
            li.text
            for li in page.select("#duty-gaps li.gap-window")
            if code in li.select_one(".name").text and day.strftime("%m-%d") in li.text
        ]

    assert gap_of(before, "C01") == [] and gap_of(before, "C02") == []
    (home_gap,) = gap_of(after, "C01")
    (sick_gap,) = gap_of(after, "C02")
    assert names[at_home] in home_gap and "在家等候通知" in home_gap, home_gap
    assert names[sick] in sick_gap and "因病缺勤" in sick_gap, sick_gap
    cell = week.select_one(f'#duty-week tr[data-window="C01"] td[data-day="{day}"]')
    assert "gap" in cell["class"] and "在家等候通知" in cell.text, cell
    # Rows and gaps are marked by the post's value ("leader"), not its str() ("Post.leader").
    assert week.select_one('#duty-week tr[data-post="leader"]') is not None
    assert week.select_one("#duty-gaps li.gap-leader") is not None
    # Back at work, the window is covered again.
    async with write_transaction():
        await change_state(at_home, WorkState.on_duty, "office_clearance", SYSTEM)
    async with client_as("office") as office:
        cleared = soup(await office.get("/duty/gaps?days=7"))
    assert gap_of(cleared, "C01") == []


async def test_copying_last_week_copies_the_department_in_view(client_as):
    tax, police = await members("区税务局"), await members("区公安分局")
    monday = week_of(clock.today()) + dt.timedelta(days=35)
    last = monday - dt.timedelta(days=7)
    async with client_as("office") as office:
        for window, person in (("D01", tax[0]), ("E01", police[0])):
            _, done = await plan(office, last, post="window", window=window, person=str(person))
            assert done.status_code == 303
        shown = await office.get(f"/duty?week={monday}&department=")
        options = soup(shown).select('select[name="department"] option')
        departments = {o.text: o["value"] for o in options}
        token = csrf_from(shown.text)
        form = {"week": str(monday), "department": departments["区税务局"], "_csrf_token": token}
        one = await office.post("/duty/copy", data=form, follow_redirects=False)
        one_week = await DutyShift.select(DutyShift.person).where(DutyShift.day == monday)
        everyone = await office.post(
            "/duty/copy", data={**form, "department": ""}, follow_redirects=False
        )
        whole = await DutyShift.select(DutyShift.person).where(DutyShift.day == monday)
    assert parse_qs(urlsplit(one.headers["location"]).query)["copied"] == ["1"]
    assert [r["person"] for r in one_week] == [tax[0]]
    assert f"department={departments['区税务局']}" in one.headers["location"]
    assert parse_qs(urlsplit(everyone.headers["location"]).query)["copied"] == ["1"]
    assert sorted(r["person"] for r in whole) == sorted([tax[0], police[0]])


async def test_the_duty_log_names_who_wrote_it_as_the_person(client_as):
    person = (await members("政务服务中心"))[0]
    day = clock.today() + dt.timedelta(days=60)
    async with client_as("office") as office:
        _, done = await plan(office, day, post="hall", person=str(person))
        assert done.status_code == 303
        shift = await DutyShift.select(DutyShift.id).where(DutyShift.day == day).first()
        page = soup(await office.get(f"/duty/shifts/{shift['id']}"))
        form = {i["name"]: i.get("value", "") for i in page.select("#duty-log input[type=hidden]")}
        await office.post(
            f"/duty/shifts/{shift['id']}/log", data={**form, "kind": "event", "text": "饮水机漏水"}
        )
        page = soup(await office.get(f"/duty/shifts/{shift['id']}"))
    (entry,) = page.select("#duty-log li.entry")
    assert "赵净" in entry.text and "office" not in entry.text, entry.text


@pytest.mark.parametrize("days", ["0", "-3", "abc"])
async def test_days_ahead_that_is_not_a_number_of_days_is_refused(client_as, days):
    async with client_as("office") as office:
        page = await office.get(f"/duty/gaps?days={days}")
        partial = await office.get(f"/duty/gaps?days={days}", headers={"hx-request": "true"})
        week = await office.get(f"/duty?days={days}")
    for response in (page, partial, week):
        assert response.status_code == 422
        panel = soup(response).select_one("#duty-gaps")
        assert "1 到 31" in panel.select_one(".field-error").text
        assert panel.select_one('input[name="days"]')["value"] == days


async def test_more_days_ahead_than_the_check_covers_says_it_shows_fewer(client_as):
    async with client_as("office") as office:
        page = soup(await office.get("/duty/gaps?days=45"))
    assert "31" in page.select_one("#duty-gaps h2").text
    assert "31" in page.select_one("#duty-gaps .days-note").text


async def test_a_duty_phone_number_too_long_is_refused_and_kept(client_as):
    person = (await members("政务服务中心"))[1]
    day = clock.today() + dt.timedelta(days=61)
    typed = "0632-5512345-8001-20021"
    async with client_as("office") as office:
        _, response = await plan(office, day, post="phone", person=str(person), phone=typed)
    assert response.status_code == 422
    page = soup(response)
    assert "20" in page.select_one("#phone-error").text
    assert page.select_one('#add-shift input[name="phone"]')["value"] == typed
    assert await DutyShift.count().where(DutyShift.day == day) == 0
