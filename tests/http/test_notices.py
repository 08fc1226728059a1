"""Notices through HTTP: the office writes and publishes, staff and heads acknowledge, the
office sees who has not read and reminds them (on their notices and notifications); the hall
screen needs no login and shows nothing personal."""

import pytest
from bs4 import BeautifulSoup

from server.audit.service import Actor
from server.checks import service as checks
from server.notices.tables import Notice, NoticeRead
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
