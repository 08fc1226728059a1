"""The office runs an incident through HTTP: board, timeline, steps (reported to the bureau's
office at a given time, cleared with its reason, closed), print."""

import datetime as dt

from bs4 import BeautifulSoup

from server import clock
from server.audit.service import SYSTEM, Actor
from server.checks import service as checks
from server.incidents import service
from server.incidents.tables import Incident, IncidentStatus, IncidentStep, StepKind
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import csrf_from

DESK = Actor(username="desk")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def hold(name: str, hours_ago: float = 0) -> dict:
    entry = new_entry_id()
    at = clock.now() - dt.timedelta(hours=hours_ago)
    await checks.record_visitor_check(
        entry, {"name": name, "phone": "13800009999", "temperature": "38.4"}, DESK, Policy(), now=at
    )
    check = (await checks.remeasure_visitor(entry, "38.6", DESK, Policy())).check
    return await Incident.select().where(Incident.source_id == str(check["id"])).first()


async def test_an_overdue_hold_is_red_on_the_board(client_as, seeded):
    late, fresh = await hold("三小时前", hours_ago=3), await hold("刚刚")
    async with client_as("office") as office:
        board = soup(await office.get("/office/incidents/"))
    rows = {li.select_one(".name a").text: li for li in board.select("li.incident")}
    assert "overdue" in rows["三小时前"]["class"] and "overdue" not in rows["刚刚"]["class"]
    assert late["id"] != fresh["id"]


async def test_a_late_hold_the_office_cleared_is_no_longer_overdue(client_as, seeded):
    """Cleared, not yet closed, never reported: no case, so nothing is owed to the district."""
    cleared = await hold("排除未结", hours_ago=3)
    await service.add_step(cleared["id"], StepKind.cleared, {"reason": "复测正常"}, None, SYSTEM)
    url = f"/office/incidents/{cleared['id']}"
    async with client_as("office") as office:
        board = soup(await office.get("/office/incidents/"))
        page = soup(await office.get(url))
    rows = {li.select_one(".name a").text: li for li in board.select("li.incident")}
    assert "overdue" not in rows["排除未结"]["class"]
    assert page.select_one("section.panel.overdue") is None
    assert page.select_one(".overdue-flag") is None


async def test_steps_through_http_then_the_printed_report(client_as, seeded):
    incident = await hold("打印测试")
    url = f"/office/incidents/{incident['id']}"
    async with client_as("leader") as leader:
        page = await leader.get(url)
        token = csrf_from(page.text)
        refused = await leader.post(
            f"{url}/steps", data={"kind": "transferred", "_csrf_token": token}
        )
        assert refused.status_code == 422 and soup(refused).select_one(".alert.error")
        for step in (
            {"kind": "reported_district", "called": "区疾控", "number": "120"},
            {"kind": "transferred", "by_whom": "120急救", "to_where": "发热门诊"},
            {"kind": "closed"},
        ):
            done = await leader.post(
                f"{url}/steps", data={**step, "_csrf_token": token}, follow_redirects=False
            )
            assert done.status_code == 303, done.text
        printed = soup(await leader.get(f"{url}/print"))
    steps = printed.select("ol.timeline li")
    assert len(steps) == 5 and "发热门诊" in printed.text and "区疾控" in printed.text
    assert printed.select_one("form") is None


async def record(client, url: str, step: dict, token: str):
    return await client.post(
        f"{url}/steps", data={**step, "_csrf_token": token}, follow_redirects=False
    )


async def test_reported_to_the_office_then_cleared_with_its_reason_then_closed(client_as, seeded):
    incident = await hold("复测正常", hours_ago=1)
    url = f"/office/incidents/{incident['id']}"
    told = clock.local(incident["detected_at"] + dt.timedelta(minutes=5))
    async with client_as("office") as office:
        token = csrf_from((await office.get(url)).text)
        for step in (
            # Recorded afterwards, at the time it happened.
            {"kind": "reported_office", "reported_to": "领导小组办公室 赵净", "at": told},
            {"kind": "reported_district", "called": "区疾控", "number": "0632-1234567"},
            {"kind": "cleared", "reason": "另一支体温计复测 36.6 °C，正常"},
        ):
            if step.get("at"):
                step["at"] = step["at"].strftime("%Y-%m-%dT%H:%M")
            assert (await record(office, url, step, token)).status_code == 303
        # Cleared: neither transferred nor cleared again, and closed only now.
        again = await record(
            office, url, {"kind": "transferred", "by_whom": "120", "to_where": "医院"}, token
        )
        assert (
            again.status_code == 422
            and "已移送或已排除" in soup(again).select_one(".alert.error").text
        )
        page = soup(await office.get(url))
        assert page.select_one("h1 .status").text.strip() == "已排除"
        assert (await record(office, url, {"kind": "closed"}, token)).status_code == 303
        closed = soup(await office.get(url))
        late = await record(office, url, {"kind": "note", "text": "补记"}, token)
    steps = closed.select("ol.timeline li")
    kinds = [li["class"][1] for li in steps]
    assert kinds == [
        "step-detected", "step-held", "step-reported_office", "step-reported_district",
        "step-cleared", "step-closed",
    ]  # fmt: skip
    reported = closed.select_one("li.step-reported_office")
    assert told.strftime("%m-%d %H:%M") in reported.select_one(".time").text
    assert "领导小组办公室 赵净" in reported.text
    assert reported.select_one(".by").text.strip() == "赵净"  # the office's person
    assert "已报告局领导小组办公室" in reported.text
    cleared = closed.select_one("li.step-cleared")
    assert "原因" in cleared.text and "另一支体温计复测 36.6 °C，正常" in cleared.text
    assert closed.select_one("h1 .status").text.strip() == "已结案"
    assert closed.select_one('form[action$="/steps"]') is None  # no next step to record
    assert late.status_code == 422 and "已结案" in soup(late).select_one(".alert.error").text
    row = await Incident.select().where(Incident.id == incident["id"]).first()
    assert row["status"] == IncidentStatus.closed


async def test_raising_by_hand(client_as, seeded):
    async with client_as("office") as office:
        token = csrf_from((await office.get("/office/incidents/")).text)
        response = await office.post(
            "/office/incidents/",
            data={
                "subject": "电话报告",
                "place": "B01",
                "summary": "家属发热",
                "_csrf_token": token,
            },
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert await Incident.exists().where(Incident.subject == "电话报告")


async def test_a_refused_step_names_its_fields_in_chinese_and_keeps_what_was_typed(
    client_as, seeded
):
    incident = await hold("报告测试")
    url = f"/office/incidents/{incident['id']}"
    async with client_as("office") as office:
        token = csrf_from((await office.get(url)).text)
        step = {"kind": "reported_district", "reported_to": "区疾控中心", "reference": "A-7"}
        refused = soup(await record(office, url, step, token))
        assert refused.select_one(".alert.error").text == "请填写：联系人、拨打号码"
        assert refused.select_one('select[name="kind"] option[selected]')["value"] == (
            "reported_district"
        )
        assert refused.select_one('input[name="reported_to"]')["value"] == "区疾控中心"
        # A field of another step is refused in words, not dropped.
        elsewhere = {**step, "called": "李医生", "number": "120", "to_where": "发热门诊"}
        refused = soup(await record(office, url, elsewhere, token))
        assert refused.select_one(".alert.error").text.startswith("移送至不属于这一步骤")
        done = await record(office, url, {**elsewhere, "to_where": ""}, token)
        assert done.status_code == 303
        page = soup(await office.get(url))
    assert "区疾控中心" in page.select_one("ol.timeline").text  # told whom, kept


async def test_a_refused_step_lists_its_fields_with_commas_in_english(client_as, seeded):
    incident = await hold("英文拒绝")
    url = f"/office/incidents/{incident['id']}"
    english = {"accept-language": "en"}
    async with client_as("office") as office:
        office.headers.update(english)
        token = csrf_from((await office.get(url)).text)
        refused = soup(await record(office, url, {"kind": "reported_district"}, token))
    assert refused.select_one(".alert.error").text == "Fill in: Who was called, Number called"


async def test_each_step_names_who_recorded_it_as_the_person(client_as, seeded):
    """The timeline and the printed report name the office's person, not its login; the
    system is named in Chinese, a device's id is shown as stored; the steps keep the login."""
    incident_id = await service.raise_incident(
        "manual", None, "谁记录的", "", "", clock.now(), SYSTEM
    )
    device = Actor(username="phone-7f3a")
    await service.add_step(incident_id, StepKind.note, {"text": "离线补记"}, None, device)
    url = f"/office/incidents/{incident_id}"
    async with client_as("office") as office:
        token = csrf_from((await office.get(url)).text)
        noted = await record(office, url, {"kind": "note", "text": "已电话联系"}, token)
        assert noted.status_code == 303
        pages = [soup(await office.get(url)), soup(await office.get(f"{url}/print"))]
    for page in pages:
        named = [li.select_one(".by").text.strip() for li in page.select("ol.timeline li")]
        assert named == ["系统", "phone-7f3a", "赵净"]
    stored = await IncidentStep.select(IncidentStep.by).where(IncidentStep.incident == incident_id)
    assert sorted(r["by"] for r in stored) == ["office", "phone-7f3a", "system"]


async def test_a_step_time_unreadable_in_the_future_or_before_detection_is_refused(
    client_as, seeded
):
    """A report dated tomorrow would clear the overdue flag; one before detection would sit
    before it on the timeline; an unreadable time is not silently 'now'. Each is refused in
    words and the form keeps what was typed."""
    incident = await hold("时间测试", hours_ago=3)
    url = f"/office/incidents/{incident['id']}"
    detected = clock.local(incident["detected_at"])
    district = {"kind": "reported_district", "called": "区疾控", "number": "120"}
    async with client_as("office") as office:
        token = csrf_from((await office.get(url)).text)
        for at, words in (
            ((clock.local(clock.now()) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "将来"),
            ((detected - dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"), "发现"),
            ("明天上午", "时间"),
        ):
            refused = await record(office, url, {**district, "at": at}, token)
            assert refused.status_code == 422, at
            page = soup(refused)
            assert words in page.select_one(".alert.error").text
            assert page.select_one('input[name="at"]')["value"] == at
            assert page.select_one('input[name="called"]')["value"] == "区疾控"
            assert page.select_one('select[name="kind"] option[selected]')["value"] == (
                "reported_district"
            )
            assert "overdue" in page.select_one("section.panel")["class"]  # still overdue
        # A time between detection and now is taken.
        told = (detected + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
        assert (await record(office, url, {**district, "at": told}, token)).status_code == 303
    assert await IncidentStep.count().where(IncidentStep.incident == incident["id"]) == 3


async def test_a_refused_hand_raised_incident_keeps_what_was_typed(client_as, seeded):
    async with client_as("office") as office:
        token = csrf_from((await office.get("/office/incidents/")).text)
        typed = {"subject": " ", "place": "B01 窗口", "summary": "家属电话告知发热"}
        refused = await office.post("/office/incidents/", data={**typed, "_csrf_token": token})
    assert refused.status_code == 422
    page = soup(refused)
    form = page.select_one('form[action="/office/incidents/"]')
    assert form.find_parent("details").has_attr("open")
    assert form.select_one('input[name="place"]')["value"] == "B01 窗口"
    assert form.select_one('input[name="summary"]')["value"] == "家属电话告知发热"


async def test_a_hand_raised_incidents_account_is_not_called_a_reading(client_as, seeded):
    async with client_as("office") as office:
        token = csrf_from((await office.get("/office/incidents/")).text)
        typed = {"subject": "电话报告", "place": "B01", "summary": "家属电话告知发热"}
        raised = await office.post(
            "/office/incidents/", data={**typed, "_csrf_token": token}, follow_redirects=False
        )
        url = raised.headers["location"]
        pages = [soup(await office.get(url)), soup(await office.get(f"{url}/print"))]
    for page in pages:
        detected = page.select_one("li.step-detected")
        assert "家属电话告知发热" in detected.text
        assert "体温读数" not in page.text and "情况说明" in detected.text
    # A hold's readings are still readings.
    held = await hold("读数")
    async with client_as("office") as office:
        page = soup(await office.get(f"/office/incidents/{held['id']}"))
    assert "体温读数" in page.select_one("li.step-detected").text
