"""A leader switches emergency response on and off, each time with a reason; every page shows
the banner meanwhile, the reason only to those who run the response."""

import asyncio
import json

import pytest
from bs4 import BeautifulSoup

from server.audit.tables import AuditEntry
from server.emergency.tables import EmergencySwitch
from tests.http.conftest import ROLES
from tests.support import csrf_from

# Error pages are HTML for a browser (server/errors.py), JSON for anything else.
BROWSER = {"Accept": "text/html"}
# The leader's words may name the person held at the door.
REASON = "大厅出现发热人员张三丰，已暂留"


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def banner(response):
    return soup(response).select_one(".emergency-banner")


async def switch(leader, active: str, reason: str = "", **kwargs):
    token = csrf_from((await leader.get("/emergency/")).text)
    data = {"active": active, "reason": reason, "_csrf_token": token}
    return await leader.post("/emergency/", data=data, **kwargs)


@pytest.fixture
async def switched_on(client_as, seeded):
    async with client_as("leader") as leader:
        await switch(leader, "on", REASON)
        yield
        await switch(leader, "off", "演练结束")


async def test_on_with_a_reason_shows_everywhere_then_off(client_as, seeded):
    async with client_as("leader") as leader, client_as("desk") as desk:
        refused = await switch(leader, "on")
        assert refused.status_code == 422 and banner(await desk.get("/desk")) is None
        switched = await switch(leader, "on", "大厅出现确诊病例", follow_redirects=True)
        assert banner(await desk.get("/desk")) is not None
        # The page after switching shows the new state: its banner and the switch-off form.
        assert banner(switched) is not None
        assert soup(switched).select_one("main input[name=active]")["value"] == "off"
        await switch(leader, "off", "病例已转运，大厅消毒完毕")
        assert banner(await desk.get("/desk")) is None


# What each role opens, and whether its banner carries the leader's reason: the office and
# the leaders run the response; everyone else learns only that it is on, and since when.
READS_THE_REASON = {"office", "leader"}


@pytest.mark.parametrize("role", ROLES)
async def test_only_the_office_and_leaders_read_the_reason(client_as, switched_on, role):
    async with client_as(role) as client:
        shown = banner(await client.get("/"))
    assert "应急响应已启动" in shown.text
    assert "自" in shown.text  # since when
    assert (REASON in shown.text) == (role in READS_THE_REASON)
    assert ("张三丰" in shown.text) == (role in READS_THE_REASON)
    # Heads learn what it asks of them: the second zero report of the day.
    assert ("零报告每天须报两次" in shown.text) == (role == "head")


@pytest.mark.parametrize(
    "path,headers",
    [
        ("/hall", {}),
        ("/hall", {"HX-Request": "true"}),  # the screen's minute-by-minute refresh
        ("/visit/", {}),
        ("/login", {}),
    ],
)
async def test_public_pages_show_only_that_it_is_on(anonymous, switched_on, path, headers):
    response = await anonymous.get(path, headers=headers)
    shown = banner(response)
    assert response.status_code == 200 and shown is not None
    assert shown.get_text(" ", strip=True) == "应急响应已启动"


@pytest.mark.parametrize("role,path", [("staff", "/zero-report/"), ("desk", "/emergency/")])
async def test_a_refusal_page_shows_it_too(client_as, switched_on, role, path):
    async with client_as(role) as client:
        refused = await client.get(path, headers=BROWSER)
    assert refused.status_code == 403 and "应急响应已启动" in banner(refused).text
    assert REASON not in refused.text


async def test_a_form_refused_for_its_csrf_token_shows_it_too(anonymous, switched_on):
    refused = await anonymous.post("/visit/", data={"name": "王五"}, headers=BROWSER)
    assert refused.status_code == 403 and banner(refused) is not None


async def test_no_banner_while_it_is_off(client_as, anonymous, seeded):
    async with client_as("staff") as staff:
        assert banner(await staff.get("/me")) is None
    assert banner(await anonymous.get("/hall")) is None


async def test_the_form_warns_against_personal_names(client_as, seeded):
    async with client_as("leader") as leader:
        page = soup(await leader.get("/emergency/"))
    field = page.select_one("main form input[name=reason]")
    hint = page.select_one(f"#{field['aria-describedby']}")
    assert "姓名" in hint.text


async def test_switching_off_asks_for_a_reason_and_logs_it(client_as, switched_on):
    async with client_as("leader") as leader:
        page = soup(await leader.get("/emergency/"))
        assert page.select_one("main input[name=active]")["value"] == "off"
        assert page.select_one("main input[name=reason]").has_attr("required")
        for blank in ("", "   "):
            refused = await switch(leader, "off", blank)
            assert refused.status_code == 422
            assert "请填写关闭应急响应的原因" in soup(refused).select_one("main .alert").text
        assert banner(await leader.get("/dashboard")) is not None  # still on
        await switch(leader, "off", "病例已转运，大厅消毒完毕")
        await switch(leader, "on", REASON)  # for the fixture to switch off
        log = soup(await leader.get("/emergency/")).select("main .entries li.entry")
    switched_off = log[1].text
    assert "关闭" in switched_off and "邢跃" in switched_off
    assert "病例已转运，大厅消毒完毕" in switched_off
    assert REASON in log[0].text and REASON in log[2].text  # the reason kept for the office
    audited = (
        await AuditEntry.select()
        .where(AuditEntry.entity == "emergency")
        .order_by(AuditEntry.id, ascending=False)
    )
    after = audited[1]["after"]
    after = json.loads(after) if isinstance(after, str) else after
    assert audited[1]["action"] == "off" and after["reason"] == "病例已转运，大厅消毒完毕"


async def test_a_double_submit_logs_once(client_as, seeded):
    before = await EmergencySwitch.count()
    async with client_as("leader") as leader:
        for active, reason in [("on", "演练"), ("off", "演练结束")]:
            token = csrf_from((await leader.get("/emergency/")).text)
            data = {"active": active, "reason": reason, "_csrf_token": token}
            # One after the other (a second tap once the first answered), then both at once.
            await leader.post("/emergency/", data=data)
            await leader.post("/emergency/", data=data)
        token = csrf_from((await leader.get("/emergency/")).text)
        for active, reason in [("on", "演练"), ("off", "演练结束")]:
            data = {"active": active, "reason": reason, "_csrf_token": token}
            await asyncio.gather(*(leader.post("/emergency/", data=data) for _ in range(2)))
    assert await EmergencySwitch.count() == before + 4


@pytest.mark.parametrize(
    "active,said",
    [("on", "应急响应已由邢跃于{at}启动。"), ("off", "应急响应已由邢跃于{at}关闭。")],
)
async def test_a_stale_form_says_who_switched_it_first_and_keeps_the_reason(
    client_as, seeded, active, said
):
    """Two leaders on the same page: the second one's form is older than the first one's
    switch the same way."""
    typed = "后到的原因<不记入>"
    async with client_as("leader") as first, client_as("leader") as second:
        if active == "off":
            await switch(first, "on", "演练")
        stale = csrf_from((await second.get("/emergency/")).text)
        await switch(first, active, "先到的原因")
        before = await EmergencySwitch.count()
        data = {"active": active, "reason": typed, "_csrf_token": stale}
        answer = await second.post("/emergency/", data=data, follow_redirects=False)
        english = await second.post(
            "/emergency/", data=data, headers={"accept-language": "en"}, follow_redirects=False
        )
        logged = await EmergencySwitch.count()
        if active == "on":
            await switch(first, "off", "演练结束")
    assert answer.status_code == english.status_code == 409
    assert logged == before
    page = soup(answer)
    [first_one, *_] = page.select("main .entries li.entry")
    assert "先到的原因" in first_one.text and typed not in page.select_one("main .entries").text
    at = first_one.select_one(".time").text
    told = page.select_one("main #already-switched").get_text(" ", strip=True)
    assert said.format(at=at) in told and typed in told
    # The page shows the state in force: the form offers the other way, its field left for
    # a reason of that.
    assert (banner(answer) is not None) == (active == "on")
    form = page.select_one("main form")
    assert form.select_one("input[name=active]")["value"] == ("off" if active == "on" else "on")
    assert form.select_one("input[name=reason]").get("value", "") == ""
    told = soup(english).select_one("main #already-switched").get_text(" ", strip=True)
    assert f"already switched {active} by 邢跃 at {at}" in told and typed in told
