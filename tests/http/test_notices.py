"""Notices through HTTP: the office writes and publishes, staff and heads acknowledge, the
office sees who has not read and reminds them (on their notices and notifications); the hall
screen needs no login and shows nothing personal."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.checks import service as checks
from server.notices import service
from server.notices.tables import Notice, NoticeRead, NoticeReminder
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import csrf_from

HTMX = {"hx-request": "true", "accept-language": "en"}
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>[点我](javascript:alert(1))'


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
async def office(client_as):
    async with client_as("office") as client:
        client.headers["x-csrftoken"] = csrf_from((await client.get("/office/notices/")).text)
        yield client


async def write(client, action="publish", **fields) -> str:
    page = soup(await client.get("/office/notices/"))
    entry = page.select_one('#new-notice input[name="entry_id"]')["value"]
    form = {"entry_id": entry, "kind": "notice", "title": "通知", "body": "正文", "action": action}
    response = await client.post(
        "/office/notices/", data={**form, **fields}, follow_redirects=False
    )
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


async def test_staff_read_and_acknowledge_a_published_notice(office, client_as):
    url = await write(
        office, title="关于每日健康申报的通知", body="请于**九点前**申报。", to_staff="1"
    )
    async with client_as("staff") as staff:
        listing = await staff.get("/notices/")
        page = soup(listing)
        card = next(a for a in page.select("article.staff-notice") if "每日健康申报" in a.text)
        assert card.select_one(".notice-body strong").text == "九点前"
        form = card.select_one("form")
        token = csrf_from(listing.text)
        response = await staff.post(form["hx-post"], data={"_csrf_token": token}, headers=HTMX)
        assert response.status_code == 200 and "<html" not in response.text
        assert "read" in soup(response).select_one("article")["class"]
        again = await staff.post(form["action"], data={"_csrf_token": token})
        assert again.status_code == 200  # redirected back to the list
    notice_id = url.rsplit("/", 1)[1]
    assert await NoticeRead.count().where(NoticeRead.notice == notice_id) == 1
    detail = soup(await office.get(url))
    assert [li.select_one(".name").text for li in detail.select(".read li")] == ["王萍"]
    assert "董敏" in detail.select_one(".unread").text


async def test_office_reminds_who_has_not_read_and_they_see_it(office, client_as):
    url = await write(office, title="提醒测试", to_staff="1")
    page = soup(await office.get(url))
    remind = page.select_one("#readership form")
    assert "2" in remind.button.text  # 王萍 and 董敏 have logins
    form = {"round_id": remind.select_one('[name="round_id"]')["value"]}
    response = await office.post(remind["hx-post"], data=form, headers=HTMX)
    assert response.status_code == 200 and "Reminded 2 people." in response.text
    replay = await office.post(remind["hx-post"], data=form, headers=HTMX)
    assert "Reminded 0 people." in replay.text
    async with client_as("head") as head:
        mine = soup(await head.get("/notices/", headers={"accept-language": "en"}))
        told = soup(await head.get("/notifications"))
    card = next(a for a in mine.select("article.staff-notice") if "提醒测试" in a.text)
    assert "reminded you" in card.select_one(".alert.warn").text
    [reminder] = told.select(".entries.notifications .notification-notice_reminder.unread")
    assert "提醒测试" in reminder.text
    assert reminder.select_one("a.name")["href"] == f"/notices/#{card['id']}"


async def test_notice_text_is_sanitised_wherever_it_is_shown(office, client_as, anonymous):
    url = await write(office, title="注入测试", body=SCRIPT, to_staff="1", to_public="1")
    async with client_as("staff") as staff:
        pages = [await office.get(url), await staff.get("/notices/"), await anonymous.get("/hall")]
    for response in pages:
        html = soup(response)
        for body in html.select(".notice-body"):
            assert not body.find_all(["script", "img"])
            assert all("javascript" not in (a.get("href") or "") for a in body.find_all("a"))
    preview = await office.post("/office/notices/preview", data={"body": SCRIPT}, headers=HTMX)
    assert preview.status_code == 200 and "<script" not in preview.text


async def test_a_draft_is_not_shown_until_published_and_bad_forms_answer_422(office, client_as):
    url = await write(office, action="draft", title="草稿通知", to_staff="1")
    async with client_as("staff") as staff:
        assert "草稿通知" not in (await staff.get("/notices/")).text
    bad = await office.post(f"{url}/edit", data={"title": "", "kind": "tip"}, headers=HTMX)
    assert bad.status_code == 422
    response = await office.post(
        f"{url}/edit",
        data={"kind": "tip", "title": "改好的草稿", "to_staff": "1", "action": "publish"},
    )
    assert response.status_code == 200
    async with client_as("staff") as staff:
        assert "改好的草稿" in (await staff.get("/notices/")).text
    refused = await office.post(
        "/office/notices/", data={"title": "", "kind": "notice"}, headers={"accept-language": "en"}
    )
    assert refused.status_code == 422
    errors = {e["id"] for e in soup(refused).select("#new-notice .field-error")}
    assert errors == {"title-error", "audience-error"}


async def test_a_resubmitted_notice_is_stored_once(office):
    page = soup(await office.get("/office/notices/"))
    entry = page.select_one('#new-notice input[name="entry_id"]')["value"]
    form = {"entry_id": entry, "kind": "notice", "title": "只存一次", "to_staff": "1"}
    for _ in range(2):
        await office.post("/office/notices/", data=form)
    assert await Notice.count().where(Notice.title == "只存一次") == 1


async def test_the_hall_needs_no_login_and_shows_only_public_current_notices(office, anonymous):
    await write(office, title="大厅公告", to_public="1")
    await write(office, title="内部通知", to_staff="1")
    await write(office, kind="clinic", title="发热门诊：区人民医院", to_public="1")
    withdrawn = await write(office, title="已撤回公告", to_public="1")
    await office.post(f"{withdrawn}/withdraw")
    await checks.record_visitor_check(
        new_entry_id(),
        {"name": "隐私访客", "phone": "13811112222", "temperature": "36.6"},
        Actor(username="desk"),
        Policy(),
    )
    response = await anonymous.get("/hall", follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "HX-Request"
    page = soup(response)
    text = page.text
    assert "大厅公告" in text and "发热门诊：区人民医院" in text
    assert "内部通知" not in text and "已撤回公告" not in text
    assert "隐私访客" not in text and "13811112222" not in text and "赵净" not in text
    assert int(page.select_one("#visitor-count").text) >= 1
    assert page.select_one('meta[http-equiv="refresh"]') is None
    board = page.select_one("#board")
    assert board["hx-get"] == "/hall" and board["hx-trigger"] == "every 60s"
    assert page.select_one('script[src*="htmx"]') is not None


async def test_the_hall_board_alone_for_htmx_polling(anonymous):
    response = await anonymous.get("/hall", headers={"hx-request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert soup(response).select_one("#board[hx-trigger]") is not None


def typed(page: BeautifulSoup, form_selector: str) -> tuple[str, str]:
    form = page.select_one(form_selector)
    return form.select_one('input[name="title"]')["value"], form.select_one("textarea").text


async def test_a_refused_draft_edit_keeps_what_was_typed(office):
    url = await write(office, action="draft", title="原标题", body="原正文", to_staff="1")
    edit = f'form[action="{url}/edit"]'
    changed = {"kind": "tip", "title": "新标题", "body": "新正文", "to_staff": "1"}
    for action in ("draft", "publish"):
        reversed_days = {"shown_from": "2026-12-10", "shown_until": "2026-12-01"}
        response = await office.post(
            f"{url}/edit", data={**changed, **reversed_days, "action": action}
        )
        assert response.status_code == 422
        page = soup(response)
        assert typed(page, edit) == ("新标题", "新正文")
        assert page.select_one(f'{edit} select[name="kind"] option[selected]')["value"] == "tip"
        assert page.select_one(f'{edit} input[name="shown_from"]')["value"] == "2026-12-10"
        assert page.select_one(f"{edit} #shown_until-error") is not None
    untitled = await office.post(f"{url}/edit", data={**changed, "title": "", "action": "draft"})
    assert untitled.status_code == 422
    assert typed(soup(untitled), edit) == ("", "新正文")
    assert soup(untitled).select_one(f"{edit} #title-error") is not None
    stored = await Notice.select(Notice.title, Notice.body).where(Notice.title == "原标题")
    assert stored == [{"title": "原标题", "body": "原正文"}]


async def publish_earlier(title: str, days_ago: int, **fields) -> Notice:
    """A staff notice published `days_ago`, as the office could then (no refusal today)."""
    then = clock.today() - dt.timedelta(days=days_ago)
    form = {"kind": "notice", "title": title, "body": "正文", "to_staff": "1", **fields}
    created = await service.create_notice(
        new_entry_id(), form, Actor(username="office"), True, clock.now(), then
    )
    return created.row


async def test_staff_see_only_notices_current_today(office, client_as):
    today = clock.today()
    future = await write(
        office,
        title="十二月十日起",
        to_staff="1",
        shown_from=(today + dt.timedelta(days=30)).isoformat(),
    )
    ended = await publish_earlier(
        "早已结束", 40, shown_until=(today - dt.timedelta(days=35)).isoformat()
    )
    await write(office, title="今天显示", to_staff="1", shown_until=today.isoformat())
    async with client_as("staff") as staff:
        listing = await staff.get("/notices/")
        titles = [a.h2.text for a in soup(listing).select("article.staff-notice")]
        assert "今天显示" in titles
        assert "十二月十日起" not in titles and "早已结束" not in titles
        token = csrf_from(listing.text)
        for notice_id in (future.rsplit("/", 1)[1], ended["id"]):
            refused = await staff.post(f"/notices/{notice_id}/read", data={"_csrf_token": token})
            assert refused.status_code == 404
    assert await NoticeRead.count().where(NoticeRead.notice == ended["id"]) == 0


async def test_no_reminders_for_a_notice_not_shown_today(office):
    today = clock.today()
    future = await write(
        office, title="下月起", to_staff="1", shown_from=(today + dt.timedelta(days=30)).isoformat()
    )
    ended = await publish_earlier(
        "上月止", 40, shown_until=(today - dt.timedelta(days=35)).isoformat()
    )
    for url in (future, f"/office/notices/{ended['id']}"):
        page = soup(await office.get(url, headers={"accept-language": "en"}))
        assert page.select_one("#readership") is not None
        assert page.select_one("#readership form") is None  # no remind button
        assert page.select_one("#readership .not-current") is not None
        response = await office.post(
            f"{url}/remind", data={"round_id": str(new_entry_id())}, headers=HTMX
        )
        assert response.status_code == 409
        assert "Reminded" not in response.text
        notice_id = url.rsplit("/", 1)[1]
        assert await NoticeReminder.count().where(NoticeReminder.notice == notice_id) == 0
    listing = soup(await office.get("/office/notices/", headers={"accept-language": "en"}))
    row = next(li for li in listing.select("#notices li") if "上月止" in li.text)
    assert row.select_one(".not-current") is not None


async def test_publishing_a_notice_whose_period_ended_is_refused_keeping_the_form(office):
    past = (clock.today() - dt.timedelta(days=3)).isoformat()
    form = {"kind": "tip", "title": "过期提示", "body": "已过期的正文", "to_staff": "1"}
    days = {"shown_from": past, "shown_until": past}
    page = soup(await office.get("/office/notices/"))
    entry = page.select_one('#new-notice input[name="entry_id"]')["value"]
    refused = await office.post(
        "/office/notices/",
        data={**form, **days, "entry_id": entry, "action": "publish"},
        headers={"accept-language": "en"},
    )
    assert refused.status_code == 422
    page = soup(refused)
    assert typed(page, "#new-notice") == ("过期提示", "已过期的正文")
    assert "already ended" in page.select_one("#new-notice #shown_until-error").text
    chinese = await office.post(
        "/office/notices/", data={**form, **days, "entry_id": entry, "action": "publish"}
    )
    message = soup(chinese).select_one("#new-notice #shown_until-error").text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and "ended" not in message
    assert await Notice.count().where(Notice.title == "过期提示") == 0
    url = await write(office, action="draft", **form, **days)  # a draft may be saved
    edited = await office.post(
        f"{url}/edit", data={**form, **days, "title": "改过的", "action": "publish"}
    )
    assert edited.status_code == 422
    assert typed(soup(edited), f'form[action="{url}/edit"]') == ("改过的", "已过期的正文")
    button = await office.post(f"{url}/publish", headers={"accept-language": "en"})
    assert button.status_code == 422
    assert "already ended" in soup(button).select_one("#shown_until-error").text
    stored = await Notice.select(Notice.status).where(Notice.id == url.rsplit("/", 1)[1])
    assert stored == [{"status": "draft"}]


async def test_office_and_leaders_read_staff_notices_and_all_of_them_the_past_ones(
    office, client_as
):
    """The office and the leaders read /notices as staff see it, without being asked to
    acknowledge (they write the notices); staff, heads, office and leaders read the notices
    whose days are over at /notices/past, not the withdrawn ones."""
    today = clock.today()
    ended = await publish_earlier(
        "已结束的防控通知",
        40,
        body="**旧**正文",
        shown_until=(today - dt.timedelta(days=2)).isoformat(),
    )
    taken_back = await publish_earlier(
        "已撤回的通知", 30, shown_until=(today - dt.timedelta(days=1)).isoformat()
    )
    await service.withdraw(taken_back["id"], Actor(username="office"), clock.now(), today)
    await write(office, title="本周防控通知", to_staff="1")
    for role in ("office", "leader", "staff", "head"):
        async with client_as(role) as client:
            current = soup(await client.get("/notices/"))
            past = soup(await client.get("/notices/past"))
        card = next(a for a in current.select("article.staff-notice") if "本周防控通知" in a.text)
        assert "已结束的防控通知" not in current.text
        writes = role in ("office", "leader")
        assert (card.select_one("form") is None) == writes, role
        assert (card.select_one('a[href^="/office/notices/"]') is not None) == writes, role
        assert current.select_one('a[href="/notices/past"]') is not None
        titles = [d.summary.strong.text for d in past.select("details.past-notice")]
        assert "已结束的防控通知" in titles, role
        assert "已撤回的通知" not in titles and "本周防控通知" not in titles
        shown = past.select_one(f"#notice-{ended['id']}")
        assert shown.select_one(".notice-body strong").text == "旧"
        assert (today - dt.timedelta(days=2)).isoformat() in shown.summary.text
    listing = soup(await office.get("/office/notices/"))
    assert {"/notices/", "/notices/past"} <= {a["href"] for a in listing.select("a")}
