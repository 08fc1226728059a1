"""Disinfection points and rounds on the real database: idempotent writes, refusals, audit,
and the day's board with the clock set by the test."""

import datetime as dt

import pytest

from server import clock
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.checks.rules import Invalid
from server.disinfection import service
from server.disinfection.tables import DisinfectionRound
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import reset_database

OFFICE = Actor(username="office-test")
DESK = Actor(username="desk-test", device="phone-1")
POLICY = Policy(opening_hours="08:30-17:30")


def local(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 9, hour, minute, tzinfo=clock.hall_zone()).astimezone(dt.UTC)


@pytest.fixture(scope="module", autouse=True)
async def database():
    await reset_database()


async def new_point(name: str, times: int = 2) -> dict:
    form = {"name": name, "area": "一楼", "times_per_day": str(times), "agent": "含氯消毒液"}
    return (
        await service.save_point(new_entry_id(), {**form, "concentration": "500 mg/L"}, OFFICE)
    ).row


async def test_a_point_saved_twice_is_stored_once_and_renaming_onto_another_is_refused():
    entry = new_entry_id()
    form = {"name": "卫生间", "times_per_day": "3"}
    first = await service.save_point(entry, form, OFFICE)
    again = await service.save_point(entry, form, OFFICE)
    assert first.created and not again.created
    other = await new_point("门把手")
    with pytest.raises(Invalid) as refused:
        await service.save_point(other["id"], form, OFFICE)
    assert refused.value.problems[0].field == "name"


@pytest.mark.parametrize("times", ["0", "25", "two", ""])
async def test_times_per_day_must_be_a_sensible_whole_number(times):
    with pytest.raises(Invalid) as refused:
        await service.save_point(
            new_entry_id(), {"name": f"点{times}", "times_per_day": times}, OFFICE
        )
    assert [p.field for p in refused.value.problems] == ["times_per_day"]


async def test_a_round_is_stored_once_with_the_points_agent_and_audited():
    point = await new_point("电梯按钮")
    entry = new_entry_id()
    fields = {"point": str(point["id"]), "done_by": "张师傅"}
    first = await service.record_round(entry, fields, DESK, done_at=local(9))
    replay = await service.record_round(entry, fields, DESK, done_at=local(9))
    assert first.created and not replay.created
    assert await DisinfectionRound.count().where(DisinfectionRound.id == entry) == 1
    assert first.row["agent"] == "含氯消毒液" and first.row["concentration"] == "500 mg/L"
    assert first.row["device"] == "phone-1" and first.row["point_name"] == "电梯按钮"
    trail = await AuditEntry.count().where(
        (AuditEntry.entity == "disinfection_round") & (AuditEntry.entity_id == str(entry))
    )
    assert trail == 1


async def test_a_round_needs_a_point_in_use_and_who_did_it():
    with pytest.raises(Invalid) as refused:
        await service.record_round(new_entry_id(), {"point": "nope", "done_by": ""}, DESK)
    assert {p.field for p in refused.value.problems} == {"point", "done_by"}
    point = await new_point("自助终端")
    await service.save_point(
        point["id"], {"name": "自助终端", "times_per_day": "2", "active_shown": "1"}, OFFICE
    )
    with pytest.raises(Invalid):
        await service.record_round(
            new_entry_id(), {"point": str(point["id"]), "done_by": "李"}, DESK
        )


async def test_the_board_turns_a_point_red_once_a_round_is_overdue():
    point = await new_point("大厅地面", times=2)  # due by 13:00 and by 17:30
    fields = {"point": str(point["id"]), "done_by": "张师傅"}
    before = {p["name"]: p for p in await service.board(local(12, 59), POLICY)}
    assert before["大厅地面"]["overdue"] is False
    at_one = {p["name"]: p for p in await service.board(local(13, 0), POLICY)}
    assert at_one["大厅地面"]["overdue"] is True
    await service.record_round(new_entry_id(), fields, DESK, done_at=local(13, 5))
    after = {p["name"]: p for p in await service.board(local(13, 10), POLICY)}
    assert after["大厅地面"]["overdue"] is False and after["大厅地面"]["done"] == 1
    # A round of yesterday does not count today.
    await service.record_round(
        new_entry_id(), fields, DESK, done_at=local(13) - dt.timedelta(days=1)
    )
    evening = {p["name"]: p for p in await service.board(local(17, 30), POLICY)}
    assert evening["大厅地面"]["done"] == 1 and evening["大厅地面"]["overdue"] is True
    assert "自助终端" not in evening  # not in use: not on the board
