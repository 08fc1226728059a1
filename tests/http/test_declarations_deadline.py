"""The declaration deadline (setting, default 09:00) with a controlled clock: before it the
person is reminded and shows as "not declared yet"; from it on they show as missing on the
head's and the office's boards, and their own page says so."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.org.tables import Person
from server.policy.service import store_setting

# A day of its own, far from the real one, in the hall's time zone.
DAY = clock.today() + dt.timedelta(days=40)


def local(hour: int, minute: int = 0) -> dt.datetime:
    start, _ = clock.day_bounds(DAY)
    return start + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture
def at(monkeypatch):
    """`at(8, 30)` sets the app's clock to that local time of DAY."""

    def set_time(hour: int, minute: int = 0) -> None:
        moment = local(hour, minute)
        monkeypatch.setattr(clock, "now", lambda: moment)

    return set_time


async def row_state(client, url: str, person: int) -> str:
    html = BeautifulSoup((await client.get(url)).text, "html.parser")
    row = html.select_one(f'li[data-person="{person}"]')
    return next(c.removeprefix("row-") for c in row["class"] if c.startswith("row-"))


async def reminder(client, url: str) -> str:
    found = BeautifulSoup((await client.get(url)).text, "html.parser").select_one(".reminder")
    return " ".join(found["class"]) + " " + found.text if found else ""


async def test_reminded_before_the_deadline_missing_after_it(client_as, seeded, at):
    wang = (await Person.select(Person.id).where(Person.name == "王萍").first())["id"]
    at(8, 30)
    async with (
        client_as("staff") as staff,
        client_as("head") as head,
        client_as("office") as office,
    ):
        for url in ("/me", "/me/declaration"):
            shown = await reminder(staff, url)
            assert "warn" in shown and "09:00" in shown, url
        assert await row_state(head, "/team", wang) == "due"
        assert await row_state(office, "/health", wang) == "due"

        at(9, 0)
        for url in ("/me", "/me/declaration"):
            shown = await reminder(staff, url)
            assert "error" in shown and "09:00" in shown, url
        assert await row_state(head, "/team", wang) == "missing"
        missing = BeautifulSoup((await office.get("/health?show=missing")).text, "html.parser")
        assert f'data-person="{wang}"' in str(missing.select("#board li"))


async def test_the_deadline_follows_the_setting(client_as, seeded, at):
    await store_setting("declaration_deadline", "10:00")
    try:
        at(9, 30)
        async with client_as("staff") as staff:
            shown = await reminder(staff, "/me/declaration")
            assert "warn" in shown and "10:00" in shown
    finally:
        await store_setting("declaration_deadline", "09:00")
