"""Health declarations through HTTP, as each role works them: the staff member's own form
(htmx and full page, refusals, resubmission, the quick path), the head's board and entries
for staff without a phone, the office's board and clearance, sick absence, word of a
stay-home on /notifications."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.audit.service import SYSTEM, Actor
from server.declarations import absences, service, status
from server.declarations.tables import Declaration, DeclarationRevision, WorkState
from server.org.tables import Person
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.http.conftest import form_token

HTMX = {"hx-request": "true"}
NORMAL = {
    "temperature": "36.5",
    "left_city": "no",
    "outbreak_contact": "no",
    "household_symptoms": "no",
    "work_mode": "on_site",
}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def person_id(name: str) -> int:
    return (await Person.select(Person.id).where(Person.name == name).first())["id"]


async def colleague(department: str = "办公室") -> int:
    """Someone of `department` without a login (the demo's generated staff)."""
    rows = await Person.select(Person.id, Person.title).where(Person.department.name == department)
    return next(r["id"] for r in rows if not r["title"])


async def post_form(client, url: str, page: str, data: dict, headers=None):
    """POST `data` with the entry id and CSRF token of the form `page` shows."""
    shown = soup(await client.get(page))
    entry = shown.select_one('input[name="entry_id"]')
    token = shown.select_one('input[name="_csrf_token"]')["value"]
    body = {"_csrf_token": token, "entry_id": entry["value"] if entry else "", **data}
    return await client.post(url, data=body, headers=headers or {}, follow_redirects=False)


@pytest.fixture
async def staff(client_as):
    async with client_as("staff") as client:
        yield client


@pytest.fixture
async def head(client_as):
    async with client_as("head") as client:
        yield client


@pytest.fixture
async def office(client_as):
    async with client_as("office") as client:
        yield client


@pytest.fixture(autouse=True)
async def everyone_back_on_duty(seeded):
    """Each test starts with 王萍 on duty and undeclared today."""
    yield
    wang = await person_id("王萍")
    today = await service.declaration_on(wang, clock.today())
    if today:
        await DeclarationRevision.delete().where(DeclarationRevision.declaration == today["id"])
        await Declaration.delete().where(Declaration.id == today["id"])
    await status.clear_to_work(wang, "test reset", Actor(username="office"))


async def test_staff_declares_a_cough_and_is_told_to_stay_home(staff):
    answer = await post_form(
        staff,
        "/me/declaration",
        "/me/declaration",
        {**NORMAL, "symptoms": "cough"},
        headers=HTMX,
    )
    assert answer.status_code == 200
    assert answer.headers["vary"] == "HX-Request"
    html = soup(answer)
    assert html.select_one("html") is None and html.select_one("#mine")
    banner = html.select_one(".alert.stay-home")
    assert banner is not None and len(banner.select("ol li")) == 4
    assert "咳嗽" in html.select_one(".history").text or "Cough" in html.text
    wang = await person_id("王萍")
    assert (await status.state_of(wang))["state"] == WorkState.stay_home


async def test_other_symptoms_typed_without_ticking_other_are_kept_and_shown(staff, head):
    answers = {
        **NORMAL,
        "symptoms": "cough",
        "symptoms_other": "流涕",
        "left_city": "yes",
        "left_city_where": "济南",
    }
    answer = await post_form(staff, "/me/declaration", "/me/declaration", answers, HTMX)
    assert answer.status_code == 200
    wang = await person_id("王萍")
    stored = await service.declaration_on(wang, clock.today())
    assert stored["symptoms"] == "cough,other" and stored["symptoms_other"] == "流涕"
    reopened = soup(await staff.get("/me/declaration")).select_one("#declaration-form")
    assert reopened.select_one('input[name="symptoms_other"]')["value"] == "流涕"
    assert reopened.select_one('input[name="symptoms"][value="other"]').has_attr("checked")
    assert "其他（流涕）" in soup(await staff.get("/me")).select_one(".my-declaration").text
    row = soup(await head.get("/team")).select_one(f'li[data-person="{wang}"]')
    assert "其他（流涕）" in row.select_one(".detail").text


async def test_a_resubmitted_form_stores_one_declaration(staff):
    page = soup(await staff.get("/me/declaration"))
    data = {
        "_csrf_token": page.select_one('input[name="_csrf_token"]')["value"],
        "entry_id": page.select_one('input[name="entry_id"]')["value"],
        **NORMAL,
    }
    for _ in range(2):
        response = await staff.post("/me/declaration", data=data)
        assert response.status_code == 200
    wang = await person_id("王萍")
    stored = await service.declaration_on(wang, clock.today())
    assert stored["version"] == 1
    revisions = DeclarationRevision.declaration == stored["id"]
    assert await DeclarationRevision.count().where(revisions) == 1


async def test_without_javascript_the_same_post_answers_the_whole_page(staff):
    answer = await post_form(staff, "/me/declaration", "/me/declaration", NORMAL)
    assert answer.status_code == 200
    html = soup(answer)
    assert html.select_one("html") and html.select_one("header nav")
    assert html.select_one("#mine .alert.ok")
    # The form now amends today's declaration; its answers are filled in.
    assert html.select_one('input[name="temperature"]')["value"] == "36.5"


async def test_unanswered_questions_are_refused_and_what_was_typed_is_kept(staff):
    answer = await post_form(
        staff,
        "/me/declaration",
        "/me/declaration",
        {"temperature": "36.7", "left_city": "yes"},
        headers=HTMX,
    )
    assert answer.status_code == 422
    html = soup(answer)
    for name in ("left_city_where", "outbreak_contact", "household_symptoms", "work_mode"):
        assert html.select_one(f"#{name}-error"), name
    assert html.select_one('input[name="temperature"]')["value"] == "36.7"
    assert await service.declaration_on(await person_id("王萍"), clock.today()) is None


async def test_the_quick_path_prefills_yesterday_but_not_the_temperature(staff):
    wang = await person_id("王萍")
    yesterday, _ = clock.day_bounds(clock.today() - dt.timedelta(days=1))
    await service.submit_declaration(
        wang,
        {**NORMAL, "work_mode": "from_home", "note": "居家办公"},
        Actor(username="staff"),
        Policy(),
        submission_id=new_entry_id(),
        now=yesterday + dt.timedelta(hours=8),
    )
    html = soup(await staff.get("/me/declaration"))
    assert html.select_one('input[name="temperature"]')["value"] == ""
    assert html.select_one('input[name="work_mode"][value="from_home"]').has_attr("checked")
    assert html.select_one('input[name="left_city"][value="no"]').has_attr("checked")
    assert html.select_one('input[name="note"]')["value"] == "居家办公"
    assert not html.select_one("details.answers").has_attr("open")  # only the temperature


async def test_staff_see_only_their_own(staff, seeded):
    other = await colleague()
    for url in (f"/health/people/{other}", "/health", "/team", f"/team/{other}/declaration"):
        response = await staff.get(url, follow_redirects=False)
        assert response.status_code == 403, url
    form = {"since": clock.today().isoformat(), "symptoms": "发热", "saw_doctor": "no"}
    absence = await absences.register_absence(
        other, form, Actor(username="head"), entry_id=new_entry_id()
    )
    token = await form_token(staff, "/me/declaration")
    response = await staff.post(
        f"/health/absences/{absence['id']}/follow-ups",
        data={"_csrf_token": token, "note": "偷看"},
    )
    assert response.status_code == 403
    await status.clear_to_work(other, "test", Actor(username="office"))


async def test_the_head_s_board_shows_only_their_department(head):
    html = soup(await head.get("/team"))
    shown = {int(li["data-person"]) for li in html.select("#team-board li[data-person]")}
    team = {
        r["id"]
        for r in await Person.select(Person.id).where(
            (Person.department.name == "办公室") & (Person.active == True)  # noqa: E712
        )
    }
    assert shown == team
    outsider = await colleague("档案室")
    for url in (f"/health/people/{outsider}", f"/team/{outsider}/declaration"):
        assert (await head.get(url)).status_code == 403
    partial = soup(await head.get("/team", headers=HTMX))
    assert partial.select_one("html") is None and partial.select_one("#team-board")


async def test_the_head_enters_a_declaration_for_staff_without_a_phone(head):
    member = await colleague()
    url = f"/team/{member}/declaration"
    answer = await post_form(head, url, url, NORMAL, headers=HTMX)
    assert answer.status_code == 200
    stored = await service.declaration_on(member, clock.today())
    assert stored["by_head"] is True and stored["entered_by_name"] == "head"
    board = soup(await head.get("/team"))
    row = board.select_one(f'li[data-person="{member}"]')
    assert "board-declared" in str(row) and row.select_one(".left")


async def test_the_office_board_filters_and_counts_per_department(office, staff):
    await post_form(staff, "/me/declaration", "/me/declaration", {**NORMAL, "temperature": "38"})
    html = soup(await office.get("/health?show=stay_home"))
    rows = html.select("#board li[data-person]")
    wang = await person_id("王萍")
    assert [int(r["data-person"]) for r in rows] == [wang]
    per_department = html.select("table.per-department tbody tr")
    assert len(per_department) >= 11
    office_row = next(tr for tr in per_department if tr.td.text == "办公室")
    assert office_row.select_one("td.stay_home").text == "1"
    assert office_row.select("td")[-1].text == "1"  # fever
    partial = soup(await office.get("/health?department=999", headers=HTMX))
    assert partial.select_one("html") is None and not partial.select("li[data-person]")


async def test_only_the_office_clears_and_the_person_sees_it(office, head, staff):
    await post_form(staff, "/me/declaration", "/me/declaration", {**NORMAL, "symptoms": "cough"})
    wang = await person_id("王萍")
    url = f"/health/people/{wang}/clear"
    token = await form_token(head, "/team")
    refused = await head.post(url, data={"_csrf_token": token, "note": "我说可以"})
    assert refused.status_code == 403
    page = f"/health/people/{wang}"
    empty = await post_form(office, url, page, {"note": " "})
    assert empty.status_code == 422
    cleared = await post_form(office, url, page, {"note": "已排除风险"})
    assert cleared.status_code == 303
    assert (await status.state_of(wang))["state"] == WorkState.on_duty
    mine = soup(await staff.get("/me/declaration"))
    assert "已排除风险" in mine.select_one(".alert.cleared").text
    history = mine.select(".status-history li")
    assert "已排除风险" in history[0].text  # newest first
    # Named as the people who changed it: the office's 赵净 cleared, 王萍's answer sent home.
    assert [li.select_one(".by").text for li in history[:2]] == ["赵净", "王萍"]


async def test_sick_absence_registered_followed_up_and_listed_for_the_office(head, office):
    member = await colleague()
    page = f"/health/people/{member}"
    since = (clock.today() - dt.timedelta(days=2)).isoformat()
    registered = await post_form(
        head,
        f"{page}/absence",
        page,
        {"since": since, "symptoms": "发热 38.5", "saw_doctor": "yes", "diagnosis": "流感"},
    )
    assert registered.status_code == 303
    absence = await absences.open_absence(member)
    assert absence["symptoms"] == "发热 38.5"  # one line of text (was stored as "['发热 38.5']")
    follow = soup(await head.get(page)).select_one(f"#absence-{absence['id']} form")
    token = follow.select_one('input[name="_csrf_token"]')["value"]
    answer = await head.post(
        follow["action"],
        data={
            "_csrf_token": token,
            "entry_id": follow.select_one('input[name="entry_id"]')["value"],
            "note": "已就医，居家隔离",
            "temperature": "37.9",
        },
        headers=HTMX,
    )
    assert answer.status_code == 200 and "已就医，居家隔离" in answer.text
    listed = soup(await office.get("/health/absences"))
    row = next(tr for tr in listed.select("tbody tr") if str(member) in tr.a["href"])
    assert row.select_one("td.days").text == "3"
    assert "已就医，居家隔离" in row.text
    await status.clear_to_work(member, "test", Actor(username="office"))


async def test_word_of_a_stay_home_for_the_office_and_the_head(office, head, staff):
    for reader in (office, head):
        token = await form_token(reader, "/notifications")
        await reader.post("/notifications/read", data={"_csrf_token": token})
    await post_form(
        staff,
        "/me/declaration",
        "/me/declaration",
        {**NORMAL, "left_city": "yes", "left_city_where": "济南"},
    )
    badge = soup(await office.get("/notifications/badge", headers=HTMX))
    assert badge.select_one("#notify-badge .count").text == "2"  # the stay-home, the incident
    inbox = soup(await head.get("/notifications"))
    [word] = inbox.select(".entries.notifications .notification-stay_home.unread.urgent")
    assert "王萍" in word.text and word.select_one(".risk").text == "离开本市"
    page = await head.get(word.select_one("a.name")["href"])  # the person's health page
    assert page.status_code == 200 and "王萍" in page.text
    read = await office.post(
        "/notifications/read",
        data={"_csrf_token": await form_token(office, "/notifications")},
        follow_redirects=False,
    )
    assert read.status_code == 303
    badge = soup(await office.get("/notifications/badge", headers=HTMX))
    assert badge.select_one("#notify-badge .count") is None
    assert soup(await head.get("/notifications")).select(".notification-stay_home.unread")


def form_of(html: BeautifulSoup, action: str) -> dict:
    """The hidden fields (CSRF token, entry id) of the form posting to `action`."""
    form = html.select_one(f'form[action="{action}"]')
    return {i["name"]: i["value"] for i in form.select('input[type="hidden"]')}


async def test_staff_register_their_own_sick_absence_follow_it_up_and_the_office_clears_them(
    staff, head, office
):
    wang = await person_id("王萍")
    since = (clock.today() - dt.timedelta(days=1)).isoformat()
    mine = soup(await staff.get("/me/declaration"))
    registered = await staff.post(
        "/me/declaration/absence",
        data={
            **form_of(mine, "/me/declaration/absence"),
            "since": since,
            "symptoms": "咳嗽，乏力",
            "saw_doctor": "yes",
            "diagnosis": "上呼吸道感染",
        },
        headers=HTMX,
    )
    assert registered.status_code == 200
    absence = await absences.open_absence(wang)
    assert absence["registered_by"] == "staff" and absence["diagnosis"] == "上呼吸道感染"
    assert (await status.state_of(wang))["state"] == WorkState.sick_absent
    shown = soup(registered).select_one(f"#absence-{absence['id']}")
    assert f"自 {since} 起因病缺勤" in shown.h2.text
    assert "已登记因病缺勤" in soup(registered).select_one(".status-history").text
    inbox = soup(await head.get("/notifications")).select_one(".entries.notifications").text
    assert f"王萍（办公室）自 {since} 起因病缺勤。" in inbox

    # Follow-ups (追查) until the return: the person's own, then the head's.
    follow = f"/health/absences/{absence['id']}/follow-ups"
    for client, page, note in (
        (staff, "/me/declaration", "仍咳嗽，体温正常"),
        (head, f"/health/people/{wang}", "电话追查：好转"),
    ):
        hidden = form_of(soup(await client.get(page)), follow)
        answer = await client.post(
            follow, data={**hidden, "note": note, "temperature": "36.8"}, headers=HTMX
        )
        assert answer.status_code == 200 and note in answer.text
    listed = soup(await office.get("/health/absences"))
    row = next(tr for tr in listed.select("tbody tr") if f"/{wang}" in tr.a["href"])
    assert row.select_one("td.days").text == "2" and "电话追查：好转" in row.text

    # The return: not the person's to declare, the office's to clear.
    token = form_of(soup(await staff.get("/me/declaration")), follow)["_csrf_token"]
    refused = await staff.post(
        f"/health/people/{wang}/clear", data={"_csrf_token": token, "note": "我好了"}
    )
    assert refused.status_code == 403
    page = f"/health/people/{wang}"
    cleared = await office.post(
        f"{page}/clear",
        data={**form_of(soup(await office.get(page)), f"{page}/clear"), "note": "复诊无碍"},
        follow_redirects=False,
    )
    assert cleared.status_code == 303
    closed = await absences.absence(absence["id"])
    assert closed["returned_on"] == clock.today() and closed["cleared_by"] == "office"
    assert (await status.state_of(wang))["state"] == WorkState.on_duty
    listed = soup(await office.get("/health/absences"))
    assert not [a for a in listed.select("tbody tr a") if a["href"].endswith(f"/{wang}")]
    mine = soup(await staff.get("/me/declaration"))
    assert mine.select_one(f"#absence-{absence['id']}") is None
    assert "复诊无碍" in mine.select_one(".alert.cleared").text
    late = await staff.post(  # a follow-up after the return
        follow, data={"_csrf_token": token, "entry_id": str(new_entry_id()), "note": "又一条"}
    )
    assert late.status_code == 422 and "此次缺勤已结束：本人已返岗" in late.text


async def test_the_person_page_names_who_changed_the_status_and_the_absence(office):
    """The office's page of the person names who registered the absence, followed it up,
    cleared it and changed the status by the account's display name (the system in Chinese);
    the rows keep the login."""
    member = await colleague()
    since = (clock.today() - dt.timedelta(days=1)).isoformat()
    form = {"since": since, "symptoms": "发热", "saw_doctor": "no"}
    absence = await absences.register_absence(
        member, form, Actor(username="head"), entry_id=new_entry_id()
    )
    note = {"note": "电话未接通"}
    await absences.add_follow_up(absence["id"], note, SYSTEM, Policy(), entry_id=new_entry_id())
    page = f"/health/people/{member}"
    cleared = await post_form(office, f"{page}/clear", page, {"note": "复诊无碍"})
    assert cleared.status_code == 303
    shown = soup(await office.get(page))
    # Registered by the head, cleared by the office, followed up by the system.
    by = [b.text for b in shown.select_one(f"#absence-{absence['id']}").select(".by")]
    assert by == ["董敏", "赵净", "系统"]
    history = shown.select(".status-history li")
    assert [li.select_one(".by").text for li in history[:2]] == ["赵净", "董敏"]
    changes = await status.history(member)
    assert [c["changed_by"] for c in changes[:2]] == ["office", "head"]
    assert (await absences.absence(absence["id"]))["cleared_by"] == "office"


@pytest.fixture
async def fatigued(seeded):
    """王萍 declares 36.5 at 08:00:00 sharp for 7 days running, today included: the same
    temperature 7 days and the same second 3 days, flagged; the days before today are
    removed afterwards (today's by everyone_back_on_duty)."""
    wang = await person_id("王萍")
    today = clock.today()
    for back in range(6, -1, -1):
        start, _ = clock.day_bounds(today - dt.timedelta(days=back))
        await service.submit_declaration(
            wang,
            NORMAL,
            Actor(username="staff"),
            Policy(),
            submission_id=new_entry_id(),
            now=start + dt.timedelta(hours=8),
        )
    yield wang
    earlier = (Declaration.person == wang) & (Declaration.day < today)
    ids = [d["id"] for d in await Declaration.select(Declaration.id).where(earlier)]
    await DeclarationRevision.delete().where(DeclarationRevision.declaration.is_in(ids))
    await Declaration.delete().where(earlier)


FLAGS = ("连续 7 天体温相同", "每天在同一秒提交")


def flags_in(element) -> list[str]:
    return [span.text for span in element.select(".flag")]


async def test_the_office_sees_fatigue_flags_and_heads_and_staff_do_not(
    fatigued, office, head, staff
):
    wang, member = fatigued, await colleague()
    await post_form(head, f"/team/{member}/declaration", f"/team/{member}/declaration", NORMAL)

    board = soup(await office.get("/health"))
    assert flags_in(board.select_one(f'#board li[data-person="{wang}"]')) == list(FLAGS)
    assert not flags_in(board.select_one(f'#board li[data-person="{member}"]'))
    flagged = soup(await office.get("/health?flagged=1", headers=HTMX))
    assert [int(li["data-person"]) for li in flagged.select("#board li[data-person]")] == [wang]
    history = soup(await office.get(f"/health/people/{wang}")).select_one(".history")
    assert flags_in(history.select_one("li.entry")) == list(FLAGS)  # today's, newest first

    # A pattern for the office to look at, not something to show the person or their head.
    for client, page in (
        (head, "/team"),
        (head, f"/health/people/{wang}"),
        (staff, "/me/declaration"),
        (staff, "/me"),
    ):
        html = soup(await client.get(page))
        assert not html.select(".flag"), page
        assert not any(flag in html.text for flag in FLAGS), page
    assert (await head.get("/health?flagged=1")).status_code == 403
