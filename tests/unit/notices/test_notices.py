"""Notices on the real database: drafts and publishing, acknowledgements, who has not read,
reminders (on the reminded accounts' notifications), and what the hall screen may show."""

import datetime as dt

import pytest

from server import clock, demo
from server.accounts.tables import UserAccount
from server.audit import service as audit
from server.audit.service import Actor
from server.checks import service as checks
from server.checks.rules import Invalid
from server.notices import queries, service
from server.notices.rules import clean_notice
from server.notices.tables import NoticeReminder
from server.notify.tables import InAppNotification, OutboxMessage
from server.org.tables import Person
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import DEMO_PASSWORD, reset_database

OFFICE = Actor(username="office")
NOW = clock.now()
TODAY = clock.today()


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    departments = await demo.seed_organisation(lambda _: None)
    await demo.seed_users(DEMO_PASSWORD, departments)


async def person_of(username: str) -> int:
    row = await UserAccount.select(UserAccount.person).where(UserAccount.username == username)
    return row[0]["person"]


def form(**fields) -> dict:
    return {"kind": "notice", "title": "关于做好防控工作的通知", "body": "请**按时**申报。",
            "to_staff": "1", **fields}  # fmt: skip


async def publish_new(today: dt.date = TODAY, **fields) -> dict:
    """Published on `today` (an earlier day: as the office could then)."""
    created = await service.create_notice(new_entry_id(), form(**fields), OFFICE, True, NOW, today)
    return created.row


async def test_a_resubmitted_notice_is_stored_once():
    entry = new_entry_id()
    first = await service.create_notice(entry, form(), OFFICE, False, NOW, TODAY)
    again = await service.create_notice(entry, form(), OFFICE, False, NOW, TODAY)
    assert first.created and not again.created
    assert first.row["status"] == "draft" and first.row["published_at"] is None
    assert [h["action"] for h in await audit.history("notice", entry)] == ["create"]


async def test_bad_form_names_every_field():
    with pytest.raises(Invalid) as refused:
        await service.create_notice(
            new_entry_id(),
            {"kind": "x", "title": "", "shown_from": "2026-03-05", "shown_until": "2026-03-01"},
            OFFICE,
            True,
            NOW,
            TODAY,
        )
    fields = {p.field for p in refused.value.problems}
    assert fields == {"kind", "title", "audience", "shown_until"}


def test_dates_typed_in_full_width_are_read_as_typed():
    typed = {"kind": "tip", "title": "提示", "to_staff": "1"}
    cleaned = clean_notice(
        {**typed, "shown_from": "２０２６－０３－０５", "shown_until": "２０２６-03-09"}
    )
    assert (cleaned["shown_from"], cleaned["shown_until"]) == (
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 9),
    )


async def test_a_draft_can_change_and_a_published_notice_cannot():
    entry = new_entry_id()
    await service.create_notice(entry, form(), OFFICE, False, NOW, TODAY)
    changed = await service.update_draft(entry, form(title="新标题"), OFFICE, True, NOW, TODAY)
    assert changed.row["title"] == "新标题" and changed.row["status"] == "published"
    assert changed.row["shown_from"] == TODAY
    with pytest.raises(Invalid):
        await service.update_draft(entry, form(title="再改"), OFFICE, False, NOW, TODAY)
    assert not (await service.publish(entry, OFFICE, NOW, TODAY)).created
    withdrawn = await service.withdraw(entry, OFFICE, NOW, TODAY)
    assert withdrawn.row["status"] == "withdrawn"
    assert not (await service.publish(entry, OFFICE, NOW, TODAY)).created
    actions = [h["action"] for h in await audit.history("notice", entry)]
    assert actions == ["create", "publish", "withdraw"]


async def test_acknowledging_twice_counts_once_and_only_published_staff_notices():
    notice = await publish_new()
    staff = await person_of("staff")
    assert await service.acknowledge(notice["id"], staff, None, Actor(username="staff"), NOW)
    assert not await service.acknowledge(notice["id"], staff, None, Actor(username="staff"), NOW)
    readers = await queries.readers(notice["id"])
    assert [r["name"] for r in readers] == ["王萍"]
    public_only = await publish_new(to_staff="", to_public="1")
    with pytest.raises(LookupError):
        await service.acknowledge(public_only["id"], staff, None, OFFICE, NOW)


async def test_who_has_not_read_leaves_out_the_writers_and_marks_who_can_log_in():
    notice = await publish_new()
    unread = await queries.unread_people(notice["id"])
    names = {p["name"]: p for p in unread}
    assert "赵净" not in names and "邢跃" not in names  # office and leader write notices
    assert names["王萍"]["has_login"] and names["董敏"]["has_login"]
    assert len(unread) == await Person.count() - 2
    assert sum(p["has_login"] for p in unread) == 2


async def test_a_reminder_round_reminds_each_unread_login_once():
    notice = await publish_new()
    await service.acknowledge(notice["id"], await person_of("head"), None, OFFICE, NOW)
    round_id = new_entry_id()
    assert await service.remind(round_id, notice["id"], OFFICE, NOW) == 1  # only 王萍 is left
    assert await service.remind(round_id, notice["id"], OFFICE, NOW) == 0
    assert await NoticeReminder.count().where(NoticeReminder.notice == notice["id"]) == 1
    told = await InAppNotification.select(
        InAppNotification.user.username.as_alias("who"), InAppNotification.link
    ).where(InAppNotification.kind == "notice_reminder")
    assert told == [{"who": "staff", "link": f"/notices/#notice-{notice['id']}"}]
    assert not await OutboxMessage.exists().where(OutboxMessage.kind == "notice_reminder")
    mine = await queries.staff_notices(await person_of("staff"), TODAY)
    shown = next(n for n in mine if n["id"] == notice["id"])
    assert isinstance(shown["reminded_at"], dt.datetime) and shown["read_at"] is None


async def test_staff_see_published_staff_notices_unread_first():
    staff = await person_of("staff")
    read = await publish_new(title="已读的")
    await publish_new(title="未读的")
    await service.acknowledge(read["id"], staff, None, OFFICE, NOW)
    await service.create_notice(new_entry_id(), form(title="草稿"), OFFICE, False, NOW, TODAY)
    titles = [n["title"] for n in await queries.staff_notices(staff, TODAY)]
    assert "草稿" not in titles
    assert titles.index("未读的") < titles.index("已读的")


async def test_the_hall_board_shows_only_public_notices_current_today():
    day = dt.timedelta(days=1)
    await publish_new(title="公开通告", to_public="1", to_staff="")
    await publish_new(title="仅职工", to_staff="1")
    await publish_new(title="明天起", to_public="1", shown_from=(TODAY + day).isoformat())
    await publish_new(
        TODAY - 2 * day, title="昨天止", to_public="1", shown_until=(TODAY - day).isoformat()
    )
    await publish_new(kind="tip", title="今日提示", to_public="1", shown_until=TODAY.isoformat())
    await publish_new(
        kind="clinic", title="发热门诊", to_public="1", body="区人民医院<script>x</script>"
    )
    gone = await publish_new(title="已撤回", to_public="1")
    await service.withdraw(gone["id"], OFFICE, NOW, TODAY)
    board = await queries.hall_board(TODAY)
    mine = {"公开通告", "仅职工", "明天起", "昨天止", "今日提示", "发热门诊", "已撤回"}
    kinds = ("notices", "tips", "clinic")
    shown = {kind: [n["title"] for n in board[kind] if n["title"] in mine] for kind in kinds}
    assert shown == {"notices": ["公开通告"], "tips": ["今日提示"], "clinic": ["发热门诊"]}
    assert "<script>" not in str(board["clinic"][0]["body_html"])


async def test_todays_visitor_count():
    before = await queries.visitors_on(TODAY)
    for name in ("甲", "乙"):
        await checks.record_visitor_check(
            new_entry_id(), {"name": name, "phone": "13812345678", "temperature": "36.5"},
            OFFICE, Policy(),
        )  # fmt: skip
    assert await queries.visitors_on(TODAY) == before + 2
    assert await queries.visitors_on(TODAY - dt.timedelta(days=1)) == 0


async def test_staff_see_only_the_notices_current_today():
    day = dt.timedelta(days=1)
    staff = await person_of("staff")
    await publish_new(title="今天起", shown_until=TODAY.isoformat())
    future = await publish_new(title="下月起", shown_from=(TODAY + 30 * day).isoformat())
    ended = await publish_new(
        TODAY - 40 * day, title="上月止", shown_until=(TODAY - 35 * day).isoformat()
    )
    titles = [n["title"] for n in await queries.staff_notices(staff, TODAY)]
    assert "今天起" in titles and "下月起" not in titles and "上月止" not in titles
    later = [n["title"] for n in await queries.staff_notices(staff, TODAY + 30 * day)]
    assert "下月起" in later and "今天起" not in later
    for notice in (future, ended):
        with pytest.raises(LookupError):
            await service.acknowledge(notice["id"], staff, None, OFFICE, NOW)
        with pytest.raises(Invalid):
            await service.remind(new_entry_id(), notice["id"], OFFICE, NOW)
        assert not await NoticeReminder.exists().where(NoticeReminder.notice == notice["id"])


async def test_a_notice_whose_days_have_ended_cannot_be_published():
    past = (TODAY - dt.timedelta(days=1)).isoformat()
    with pytest.raises(Invalid) as refused:
        await publish_new(title="已过期", shown_until=past)
    assert [p.field for p in refused.value.problems] == ["shown_until"]
    assert refused.value.problems[0].params == {"day": past}
    entry = new_entry_id()
    draft = await service.create_notice(entry, form(shown_until=past), OFFICE, False, NOW, TODAY)
    assert draft.row["status"] == "draft"  # a draft may keep any days
    with pytest.raises(Invalid):
        await service.update_draft(entry, form(shown_until=past), OFFICE, True, NOW, TODAY)
    with pytest.raises(Invalid):
        await service.publish(entry, OFFICE, NOW, TODAY)
    today = await service.update_draft(
        entry, form(shown_until=TODAY.isoformat()), OFFICE, True, NOW, TODAY
    )
    assert today.row["status"] == "published"
