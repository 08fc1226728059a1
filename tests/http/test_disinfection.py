"""Disinfection through HTTP: the office's points and board (overdue at a time the test sets
on the app's clock, nothing due on a day the hall is closed), the edit form kept as typed when
refused, the printable sheet, the desk's form without JavaScript, and rounds pushed from a phone
(replay = duplicate) and pulled."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.disinfection import service
from server.disinfection.schedule import next_due, parse_hhmm
from server.disinfection.tables import DisinfectionRound
from server.duty.rules import is_open
from server.policy.service import load_policy
from sync.ids import new_entry_id
from tests.http.conftest import form_token
from tests.http.test_sync import enrolled_token, push

OFFICE = Actor(username="office")
# Days of the week the default setting `opening_weekdays` (Monday to Friday) opens or not.
A_MONDAY, A_SUNDAY = dt.date(2026, 11, 30), dt.date(2026, 11, 29)


async def a_point(name: str, times: int = 24) -> dict:
    form = {"name": name, "area": "一楼", "times_per_day": str(times), "agent": "75%酒精"}
    return (await service.save_point(new_entry_id(), form, OFFICE)).row


def round_mutation(point_id, done_by="张师傅", entity=None) -> dict:
    return {
        "id": str(new_entry_id()),
        "kind": "disinfection_round.create",
        "seq": 1,
        "captured_at": dt.datetime.now(dt.UTC).isoformat(),
        "entity_id": str(entity or new_entry_id()),
        "fields": {"point": str(point_id), "done_by": done_by},
    }


def hall_time(day: dt.date, hhmm: str, minutes: int = 0) -> dt.datetime:
    """The UTC moment of local time `hhmm` (plus `minutes`) on the hall's `day`."""
    local = dt.datetime.combine(day, parse_hhmm(hhmm), tzinfo=clock.hall_zone())
    return (local + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


@pytest.fixture
def at(monkeypatch):
    """`at(moment)` sets the app's clock to that moment: what is due depends on the time."""
    return lambda moment: monkeypatch.setattr(clock, "now", lambda: moment)


def board_row(response, name: str):
    board = BeautifulSoup(response.text, "html.parser")
    return next(r for r in board.select("#board tbody tr") if name in r.text), board


async def test_the_office_adds_a_point_and_sees_it_overdue_in_red(client_as, at):
    policy, today = await load_policy(), A_MONDAY  # a day the hall is open
    assert is_open(today, policy)
    opens, closes = parse_hhmm(policy.hall_opens), parse_hhmm(policy.hall_closes)
    first_due = next_due(24, opens, closes, 0).strftime("%H:%M")
    async with client_as("office") as client:
        token = await form_token(client, "/office/disinfection/")
        form = {"_csrf_token": token, "entry_id": str(new_entry_id()), "name": "值班室门把手"}
        response = await client.post(
            "/office/disinfection/", data={**form, "times_per_day": "24"}, follow_redirects=False
        )
        assert response.status_code == 303
        refused = await client.post(
            "/office/disinfection/", data={**form, "name": "", "times_per_day": "x"}
        )
        assert refused.status_code == 422
        page = BeautifulSoup(refused.text, "html.parser")
        assert page.select_one("#times_per_day-error") and page.select_one("#name-error")
        at(hall_time(today, policy.hall_opens, minutes=-30))
        before, _ = board_row(await client.get("/office/disinfection/"), "值班室门把手")
        # A minute past the end of the first of 24 slots of the opening hours, none done.
        at(hall_time(today, first_due, minutes=1))
        after, board = board_row(await client.get("/office/disinfection/"), "值班室门把手")
    assert "overdue" not in (before.get("class") or []) and first_due in before.text
    assert "overdue" in after["class"] and after.select_one(".overdue-flag")
    assert "值班室门把手" in board.select_one("#overdue-points").text


def first_due(policy) -> str:
    """The time the first of 4 rounds a day is due by, as the page writes it."""
    opens, closes = parse_hhmm(policy.hall_opens), parse_hhmm(policy.hall_closes)
    return next_due(4, opens, closes, 0).strftime("%H:%M")


def point_form(page: BeautifulSoup, point_id) -> BeautifulSoup:
    return page.select_one(f'form[action="/office/disinfection/{point_id}/edit"]')


async def test_a_refused_edit_keeps_what_was_typed(client_as):
    point = await a_point("编辑保留测试点", times=4)
    typed = {"agent": "新消毒剂XYZ", "concentration": "1000 mg/L", "times_per_day": "30"}
    async with client_as("office") as client:
        token = await form_token(client, "/office/disinfection/")
        form = {"_csrf_token": token, "name": "编辑保留测试点", "area": "一楼", **typed}
        form |= {"active_shown": "1"}  # the box "in use" unticked: sent as typed, not stored
        refused = await client.post(f"/office/disinfection/{point['id']}/edit", data=form)
    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "html.parser")
    shown = point_form(page, point["id"])
    assert shown.find_parent("details").has_attr("open")
    assert shown.select_one("#times_per_day-error")
    for name, value in typed.items():
        assert shown.select_one(f'input[name="{name}"]')["value"] == value, name
    assert not shown.select_one('input[name="active"]').has_attr("checked")
    # Nothing was stored, and the other points' forms show what is stored.
    stored = await service.point(point["id"])
    assert (stored["agent"], stored["times_per_day"], stored["active"]) == ("75%酒精", 4, True)
    others = [f for f in page.select("form.point-form") if f is not shown]
    assert others and all(not f.select_one(".field-error") for f in others)


async def test_nothing_is_due_on_a_day_the_hall_is_closed(client_as, at):
    """The setting `opening_weekdays` says which days the hall opens (Monday to Friday by
    default): on the others no round falls due, on the office page and on the record sheet."""
    policy = await load_policy()
    assert is_open(A_MONDAY, policy) and not is_open(A_SUNDAY, policy)
    await a_point("闭馆日测试点", times=4)
    async with client_as("office") as client:
        at(hall_time(A_SUNDAY, policy.hall_closes, minutes=30))
        page = await client.get("/office/disinfection/")
        row, board = board_row(page, "闭馆日测试点")
        # The Sunday's sheet looked at the day after, as the office prints it on Monday.
        at(hall_time(A_MONDAY, policy.hall_closes, minutes=30))
        sheet = BeautifulSoup(
            (await client.get(f"/office/disinfection/sheet?day={A_SUNDAY}")).text, "html.parser"
        )
        monday, _ = board_row(await client.get("/office/disinfection/"), "闭馆日测试点")
    assert not board.select("#board tr.overdue") and not board.select_one("#overdue-points")
    assert "overdue" not in (row.get("class") or []) and not row.select(".overdue-flag")
    assert first_due(policy) not in row.text  # no "next by": nothing falls due that day
    assert not sheet.select("#sheet-points tr.overdue") and not sheet.select(".overdue-flag")
    assert sheet.select("#sheet-points tbody tr")
    # The same hour on an open day: the point with no round done is red.
    assert "overdue" in monday["class"]


async def test_the_record_sheet_lists_the_days_rounds_with_a_signature_column(client_as):
    point = await a_point("打印测试点")
    await service.record_round(
        new_entry_id(), {"point": str(point["id"]), "done_by": "李阿姨"}, Actor(username="desk")
    )
    async with client_as("office") as client:
        page = BeautifulSoup((await client.get("/office/disinfection/sheet")).text, "html.parser")
        other_day = await client.get("/office/disinfection/sheet?day=2020-02-01")
    lines = [r for r in page.select("#sheet tbody tr") if "打印测试点" in r.text]
    assert len(lines) == 1 and "李阿姨" in lines[0].text and "75%酒精" in lines[0].text
    assert len(page.select("#sheet thead th")) == 6  # point, time, agent, strength, by, signature
    assert page.select("#sheet thead th")[4].text == "消毒人"  # was 移送人, the incident's word
    assert (
        "打印测试点" not in BeautifulSoup(other_day.text, "html.parser").select_one("#sheet").text
    )


async def test_the_desk_logs_a_round_without_javascript_once(client_as):
    point = await a_point("无脚本测试点")
    entry = str(new_entry_id())
    async with client_as("desk") as client:
        desk = BeautifulSoup((await client.get("/desk")).text, "html.parser")
        assert desk.select_one(f'#disinfection option[value="{point["id"]}"]')
        token = await form_token(client, "/desk")
        form = {"_csrf_token": token, "entry_id": entry, "point": str(point["id"])}
        for _ in range(2):
            done = await client.post(
                "/desk/disinfection/", data={**form, "done_by": "王师傅"}, follow_redirects=False
            )
            assert done.status_code == 303
        refused = await client.post("/desk/disinfection/", data=form)
    assert refused.status_code == 422 and "field-error" in refused.text
    assert await DisinfectionRound.count().where(DisinfectionRound.point == point["id"]) == 1


async def test_a_round_pushed_from_a_phone_is_stored_once_and_every_desk_pulls_it(anonymous):
    point = await a_point("同步测试点")
    device, token = await enrolled_token(anonymous, "消毒测试机")
    anonymous.headers["authorization"] = f"Device {token}"
    first_pull = (await anonymous.get("/sync/pull")).json()
    names = [p["name"] for p in first_pull["reference"]["disinfection_points"]]
    assert "同步测试点" in names
    mutation = round_mutation(point["id"])
    [applied] = await push(anonymous, mutation)
    assert applied["status"] == "applied" and applied["row"]["point_name"] == "同步测试点"
    [replayed] = await push(anonymous, mutation)
    assert replayed["status"] == "duplicate"
    same_round_again = round_mutation(point["id"], entity=mutation["entity_id"])
    [again] = await push(anonymous, same_round_again)
    assert again["status"] == "duplicate"
    assert await DisinfectionRound.count().where(DisinfectionRound.point == point["id"]) == 1
    [refused] = await push(anonymous, round_mutation(point["id"], done_by=""))
    assert refused["status"] == "rejected" and "done_by" in refused["errors"]

    other, other_token = await enrolled_token(anonymous, "消毒测试机2")
    anonymous.headers["authorization"] = f"Device {other_token}"
    snapshot = (await anonymous.get("/sync/pull")).json()
    rounds = [e["row"] for e in snapshot["entries"] if e["entity"] == "disinfection_round"]
    assert mutation["entity_id"] in [r["id"] for r in rounds]
    later = round_mutation(point["id"], done_by="赵师傅")
    anonymous.headers["authorization"] = f"Device {token}"
    await push(anonymous, later)
    anonymous.headers["authorization"] = f"Device {other_token}"
    changes = (await anonymous.get(f"/sync/pull?cursor={snapshot['cursor']}")).json()
    pulled = [e["row"]["id"] for e in changes["entries"] if e["entity"] == "disinfection_round"]
    assert pulled == [later["entity_id"]]


async def test_a_staff_login_cannot_push_rounds(client_as):
    point = await a_point("角色测试点")
    async with client_as("staff") as client:
        response = await client.post(
            "/sync/push",
            json={"mutations": [round_mutation(point["id"])]},
            headers={"x-hallwatch-sync": "1"},
        )
    [refused] = response.json()["results"]
    assert refused["status"] == "rejected"
    assert await DisinfectionRound.count().where(DisinfectionRound.point == point["id"]) == 0
