"""Visitor pre-registration through HTTP: the public form without a login (CSRF, the desk's
rules, rate limit), the code and its QR, the office's poster, and the desk's check from a
code pushed from a phone, with the visitor's answers filled in on the server."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.checks.tables import VisitorCheck
from server.i18n import translate
from server.visitors import controller
from server.visitors.tables import Preregistration
from sync.ids import new_entry_id
from tests.http.test_sync import enrolled_token, push
from tests.support import csrf_from

ANSWERS = {
    "name": "扫码访客",
    "phone": "13700001234",
    "purpose": "不动产",
    "travel_or_contact": "no",
}


async def register(client, **changes):
    token = csrf_from((await client.get("/visit")).text)
    form = {"_csrf_token": token, "entry_id": str(new_entry_id()), **ANSWERS, **changes}
    return await client.post("/visit", data=form)


def code_of(response) -> str:
    return BeautifulSoup(response.text, "html.parser").select_one("#prereg-code").text.strip()


async def test_a_visitor_registers_without_a_login_and_gets_a_code_and_its_qr(anonymous):
    form = await anonymous.get("/visit")
    assert form.status_code == 200 and "visit-form" in form.text
    done = await register(anonymous, name="无登录访客")
    assert done.status_code == 200
    code = code_of(done)
    assert len(code) == 6 and "<svg" in done.text
    stored = await Preregistration.select().where(Preregistration.code == code).first()
    assert stored["name"] == "无登录访客" and stored["phone"] == "13700001234"


async def test_the_code_is_said_to_be_valid_through_tomorrow_the_last_day_the_desk_takes_it(
    anonymous,
):
    done = await register(anonymous, name="有效期访客")
    stored = await Preregistration.select().where(Preregistration.name == "有效期访客").first()
    # It expires at the start of the day after tomorrow: tomorrow is the last day.
    tomorrow = clock.local(stored["created_at"]).date() + dt.timedelta(days=1)
    assert stored["expires_at"] == clock.day_bounds(tomorrow)[1]
    said = BeautifulSoup(done.text, "html.parser").select_one(".enrollment .hint").text
    assert said == f"有效期至 {tomorrow:%m-%d} 当天结束，请截图保存。"
    token = csrf_from((await anonymous.get("/visit")).text)
    form = {"_csrf_token": token, "entry_id": str(new_entry_id()), **ANSWERS}
    english = await anonymous.post("/visit", data=form, headers={"accept-language": "en"})
    said = BeautifulSoup(english.text, "html.parser").select_one(".enrollment .hint").text
    assert said == f"Valid through {tomorrow:%m-%d}. Take a screenshot to keep it."


async def test_a_symptom_typed_with_its_box_unticked_is_kept_as_a_symptom(anonymous):
    done = await register(anonymous, name="未勾选其他", symptoms_other="流涕")
    stored = await Preregistration.select().where(Preregistration.code == code_of(done)).first()
    assert stored["symptoms"] == "other" and stored["symptoms_other"] == "流涕"


async def test_a_resubmitted_form_stores_one_pre_registration(anonymous):
    token = csrf_from((await anonymous.get("/visit")).text)
    form = {"_csrf_token": token, "entry_id": str(new_entry_id()), **ANSWERS, "name": "重复提交"}
    first, second = [await anonymous.post("/visit", data=form) for _ in range(2)]
    assert code_of(first) == code_of(second)
    assert await Preregistration.count().where(Preregistration.name == "重复提交") == 1


async def test_the_form_needs_its_csrf_token(anonymous):
    await anonymous.get("/visit")
    response = await anonymous.post("/visit", data={**ANSWERS, "name": "无令牌"})
    assert response.status_code == 403
    assert await Preregistration.count().where(Preregistration.name == "无令牌") == 0


async def test_bad_answers_come_back_with_translated_messages_and_nothing_stored(anonymous):
    response = await register(anonymous, name="坏号码", phone="12345", travel_or_contact="")
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#phone-error").text == translate(
        "zh", "Enter an 11-digit mobile number, e.g. 13812345678"
    )
    assert page.select_one("#travel_or_contact-error")
    assert page.select_one('input[name="name"]')["value"] == "坏号码"
    assert await Preregistration.count().where(Preregistration.name == "坏号码") == 0


async def test_one_address_is_rate_limited_with_a_clear_message(anonymous, monkeypatch):
    monkeypatch.setattr(controller, "MAX_SUBMISSIONS", 3)
    from server.accounts.store import DatabaseStore

    await DatabaseStore().delete_all()  # earlier tests' submissions from this address
    for n in range(3):
        assert (await register(anonymous, name=f"限流{n}")).status_code == 200
    refused = await register(anonymous, name="限流3")
    assert refused.status_code == 429
    message = translate(
        "zh", "Too many registrations from this network. Wait 15 minutes, or register at the desk."
    )
    assert BeautifulSoup(refused.text, "html.parser").select_one("#throttled").text == message
    assert await Preregistration.count().where(Preregistration.name == "限流3") == 0
    await DatabaseStore().delete_all()


async def test_the_office_page_and_poster_lead_to_the_public_form(client_as):
    async with client_as("office") as client:
        page = await client.get("/office/prereg/")
        poster = await client.get("/office/prereg/poster")
    assert "<svg" in page.text and "/visit" in page.text
    assert "<svg" in poster.text and "/visit" in poster.text
    assert "13700001234" not in page.text  # numbers masked in the list


def prereg_check(code: str, temperature="36.6") -> dict:
    return {
        "id": str(new_entry_id()),
        "kind": "visitor_check.prereg.create",
        "seq": 1,
        "captured_at": dt.datetime.now(dt.UTC).isoformat(),
        "entity_id": str(new_entry_id()),
        "fields": {"prereg": code, "temperature": temperature},
    }


@pytest.fixture
async def phone(anonymous):
    _device, token = await enrolled_token(anonymous, "预约测试机")
    return {"authorization": f"Device {token}"}


async def test_the_desk_phone_pulls_masked_pre_registrations_and_the_check_fills_them_in(
    anonymous, phone
):
    code = code_of(await register(anonymous, name="到场访客"))
    snapshot = (await anonymous.get("/sync/pull", headers=phone)).json()
    rows = [e["row"] for e in snapshot["entries"] if e["entity"] == "visitor_prereg"]
    mine = next(r for r in rows if r["code"] == code)
    assert mine["phone"] == "137****1234" and mine["used"] is False

    anonymous.headers.update(phone)
    mutation = prereg_check(code)
    [applied] = await push(anonymous, mutation)
    assert applied["status"] == "applied" and applied["row"]["phone"] == "137****1234"
    [replayed] = await push(anonymous, mutation)
    assert replayed["status"] == "duplicate"
    stored = await VisitorCheck.select().where(VisitorCheck.name == "到场访客")
    assert len(stored) == 1 and stored[0]["phone"] == "13700001234"
    assert stored[0]["purpose"] == "不动产" and stored[0]["temperature"] == 36.6
    linked = await Preregistration.select().where(Preregistration.code == code).first()
    assert linked["check_id"] == stored[0]["id"]

    changes = (await anonymous.get(f"/sync/pull?cursor={snapshot['cursor']}")).json()
    used = [e["row"] for e in changes["entries"] if e["entity"] == "visitor_prereg"]
    assert any(r["code"] == code and r["used"] for r in used)
    [refused] = await push(anonymous, prereg_check("ZZZZZZ"))
    assert refused["status"] == "rejected" and "prereg" in refused["errors"]
    assert refused["errors"]["prereg"] == "没有此登记码的有效预约登记，请手工登记来人。"


async def test_staff_pulling_with_their_login_get_no_pre_registrations(anonymous, client_as):
    await register(anonymous, name="别人看不到")
    async with client_as("staff") as client:
        pulled = (await client.get("/sync/pull", headers={"x-hallwatch-sync": "1"})).json()
    assert not [e for e in pulled["entries"] if e["entity"] == "visitor_prereg"]
