"""Whom the desk calls at a hold (plan 三(一)1, 三(二)2): the admin sets the numbers of the
bureau's leading group office and of the district epidemic-prevention department; the hold
instructions show them as numbers to tap, or say that none is set, and the phone pulls them
with the rest of the policy for when it holds someone offline."""

import uuid

import pytest
from bs4 import BeautifulSoup

from server.audit.tables import AuditEntry
from server.i18n import translate
from server.policy.service import load_policy, store_setting
from server.policy.tables import Setting
from tests.http.test_settings import errors, the_form
from tests.support import csrf_from

HTMX = {"hx-request": "true"}
NOT_SET = translate("zh", "number not set: ask the office")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
async def no_settings():
    await Setting.delete(force=True)
    yield
    await Setting.delete(force=True)


@pytest.fixture
async def desk(client_as):
    async with client_as("desk") as client:
        client.headers["x-csrftoken"] = csrf_from((await client.get("/desk")).text)
        yield client


async def test_the_admin_sets_the_numbers_and_full_width_digits_are_read(
    client_as, seeded, no_settings
):
    async with client_as("admin") as admin:
        form = the_form((await admin.get("/admin/settings/")).text)
        assert form["office_phone"] == [""] and form["district_epidemic_phone"] == [""]
        form |= {"office_phone": ["０６３２－３３１２３４５"]}
        form |= {"district_epidemic_phone": ["0632 8812 120"]}
        page = await admin.post("/admin/settings/", data=form)
        shown = the_form(page.text)
    policy = await load_policy()
    assert policy.office_phone == "0632-3312345"
    assert policy.district_epidemic_phone == "0632-8812-120"
    assert shown["office_phone"] == ["0632-3312345"]
    audited = (
        await AuditEntry.select(AuditEntry.after)
        .where(AuditEntry.entity_id == "office_phone")
        .output(load_json=True)
    )
    assert [a["after"] for a in audited] == [{"office_phone": "0632-3312345"}]


async def test_a_number_that_is_not_one_is_refused_and_what_was_typed_is_kept(
    client_as, seeded, no_settings
):
    async with client_as("admin") as admin:
        form = the_form((await admin.get("/admin/settings/")).text)
        form |= {"office_phone": ["找赵主任"], "district_epidemic_phone": ["12"]}
        refused = await admin.post("/admin/settings/", data=form)
    assert refused.status_code == 422
    message = translate("zh", "Enter a phone number in digits, e.g. 0632-1234567 or 120")
    assert errors(refused) == {"office_phone": message, "district_epidemic_phone": message}
    assert the_form(refused.text)["office_phone"] == ["找赵主任"]
    assert await Setting.count() == 0


async def test_the_hold_gives_the_numbers_to_tap_and_says_when_one_is_not_set(
    desk, seeded, no_settings
):
    await store_setting("office_phone", "0632-3312345")
    entry = str(uuid.uuid4())
    form = {"entry_id": entry, "name": "发热者", "phone": "13712345678", "temperature": "38.2"}
    await desk.post("/desk/visitors", data=form, headers=HTMX)
    held = await desk.post(f"/desk/visitors/{entry}/remeasure", data={"temperature": "38.4"})

    call = soup(held).select_one("#visitor-panel .alert.hold ol li:nth-of-type(3)")
    office = call.select_one('[data-phone="office_phone"] a')
    assert (office["href"], office.text) == ("tel:0632-3312345", "0632-3312345")
    district = call.select_one('[data-phone="district_epidemic_phone"]')
    assert district.select("a") == [] and district.text.strip() == NOT_SET

    # The phone's own hold: the same places, filled from the policy it pulled.
    shell = soup(await desk.get("/desk")).select_one("template#t-hold")
    places = shell.select("[data-phone]")
    assert [p["data-phone"] for p in places] == ["office_phone", "district_epidemic_phone"]
    pulled = await desk.get("/sync/pull", headers={"x-hallwatch-sync": "1"})
    policy = pulled.json()["reference"]["policy"]
    assert (policy["office_phone"], policy["district_epidemic_phone"]) == ("0632-3312345", "")
