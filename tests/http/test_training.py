"""Training through HTTP: the office records a session with attendees from the roster and
changes them; staff see their own records, and only theirs."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.org.tables import Person
from server.training.tables import TrainingSession
from tests.support import csrf_from


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
async def office(client_as):
    async with client_as("office") as client:
        client.headers["x-csrftoken"] = csrf_from((await client.get("/office/training/")).text)
        yield client


async def person_id(name: str) -> str:
    return str((await Person.select(Person.id).where(Person.name == name).first())["id"])


async def record_session(
    client, topic: str, attendees: list[str], held_on: str = "2026-02-03"
) -> str:
    page = soup(await client.get("/office/training/"))
    form = page.select_one("#new-session")
    boxes = {b["value"] for b in form.select('input[name="attendees"]')}
    assert set(attendees) <= boxes  # picked from the roster the form offers
    data = {
        "entry_id": form.select_one('[name="entry_id"]')["value"],
        "topic": topic,
        "held_on": held_on,
        "trainer": "区疾控 刘医生",
        "attendees": attendees,
    }
    response = await client.post("/office/training/", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return response.headers["location"]


async def test_a_session_with_attendees_shows_on_the_staff_members_record(office, client_as):
    url = await record_session(office, "测温枪的使用", [await person_id("王萍")])
    detail = soup(await office.get(url))
    assert [a.text for a in detail.select("#attendees .name a")] == ["王萍"]
    async with client_as("staff") as staff:
        mine = soup(await staff.get("/training/"))
    assert "测温枪的使用" in mine.select_one(".records-list").text
    async with client_as("head") as head:
        assert "测温枪的使用" not in (await head.get("/training/")).text


async def test_a_session_still_to_come_is_planned_not_a_record(office, client_as):
    """Sessions are planned ahead with their attendees: until the day, a staff member's
    record lists it as planned, not as training taken."""
    ahead = (clock.today() + dt.timedelta(days=30)).isoformat()
    await record_session(office, "应急演练（计划）", [await person_id("王萍")], held_on=ahead)
    async with client_as("staff") as staff:
        mine = soup(await staff.get("/training/"))
    assert "应急演练（计划）" not in mine.select_one(".records-list").text
    assert "应急演练（计划）" in mine.select_one(".planned-list").text


async def test_the_office_lists_a_session_still_to_come_as_planned_not_held(office):
    ahead = (clock.today() + dt.timedelta(days=36)).isoformat()
    url = await record_session(office, "防护服穿脱（计划）", [], held_on=ahead)
    await record_session(office, "已办培训", [await person_id("王萍")])
    page = soup(await office.get("/office/training/"))
    assert "防护服穿脱（计划）" in page.select_one("#planned-sessions").text
    assert "防护服穿脱（计划）" not in page.select_one("#sessions").text
    assert "已办培训" in page.select_one("#sessions").text
    assert [h.text for h in page.select("main h2")] == ["计划举办的培训", "已举办的培训"]
    planned = next(e for e in page.select("#planned-sessions .entry") if "防护服穿脱" in e.text)
    assert planned.select_one(".count").text == "0 人计划参训"
    detail = soup(await office.get(url))
    assert detail.select_one("#planned").text == "尚未举办"
    assert detail.select_one("main h2").text.split()[0] == "计划参训人员"


async def test_changing_the_attendees(office, client_as):
    url = await record_session(office, "消毒液配比", [await person_id("王萍")])
    response = await office.post(f"{url}/attendees", data={"attendees": [await person_id("董敏")]})
    assert response.status_code == 200
    assert [a.text for a in soup(response).select("#attendees .name a")] == ["董敏"]
    async with client_as("staff") as staff:
        assert "消毒液配比" not in (await staff.get("/training/")).text
    record = soup(await office.get(f"/office/training/people/{await person_id('董敏')}"))
    assert "消毒液配比" in record.select_one(".records-list").text


async def test_a_resubmitted_session_is_stored_once_and_bad_forms_answer_422(office):
    page = soup(await office.get("/office/training/"))
    entry = page.select_one('#new-session [name="entry_id"]')["value"]
    form = {"entry_id": entry, "topic": "重复", "held_on": "2026-02-04", "trainer": "李"}
    for _ in range(2):
        await office.post("/office/training/", data=form)
    assert await TrainingSession.count().where(TrainingSession.topic == "重复") == 1
    bad = await office.post(
        "/office/training/",
        data={"topic": "", "held_on": "x", "attendees": ["1"]},
        headers={"accept-language": "en"},
    )
    assert bad.status_code == 422
    errors = {e["id"] for e in soup(bad).select("#new-session .field-error")}
    assert errors == {"topic-error", "held_on-error", "trainer-error"}
    assert (
        soup(bad).select_one('#new-session input[name="attendees"][value="1"]').has_attr("checked")
    )


async def test_unknown_session_or_person_is_404(office):
    assert (await office.get("/office/training/people/999999")).status_code == 404
    missing = "/office/training/00000000-0000-7000-8000-000000000000"
    assert (await office.get(missing)).status_code == 404
    assert (await office.post(f"{missing}/attendees", data={})).status_code == 404
