"""/notifications over HTTP: each account sees its own list and unread badge, marks one or
all read (again: nothing changes), never touches someone else's."""

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.incidents.service import raise_incident
from server.notify import notes
from server.notify.service import Audience, Note, enqueue
from server.notify.tables import InAppNotification, NotificationEvent
from tests.http.conftest import form_token


@pytest.fixture(scope="module")
async def incident(seeded):
    return await raise_incident(
        "manual", None, "钱八", "A05 不动产", "38.7 °C", clock.now(), Actor(username="desk")
    )


async def unread_of(username: str) -> list[dict]:
    return await InAppNotification.select(InAppNotification.id).where(
        (InAppNotification.user.username == username) & InAppNotification.read_at.is_null()
    )


async def test_the_office_sees_the_incident_and_its_unread_badge(client_as, incident):
    async with client_as("office") as client:
        page = BeautifulSoup((await client.get("/notifications")).text, "html.parser")
        [entry] = page.select(".entries.notifications .entry.unread.urgent")
        assert "钱八" in entry.text and "A05 不动产" in entry.text
        assert entry.select_one("a.name")["href"] == f"/office/incidents/{incident}"
        badge = BeautifulSoup((await client.get("/notifications/badge")).text, "html.parser")
        assert badge.select_one("#notify-badge .count").text == "1"
        assert "/notifications" in (await client.get("/office")).text  # the nav's link


async def test_staff_see_an_empty_list_and_no_count(client_as, incident):
    async with client_as("staff") as client:
        page = BeautifulSoup((await client.get("/notifications")).text, "html.parser")
        assert page.select(".entries.notifications .entry") == []
        badge = BeautifulSoup((await client.get("/notifications/badge")).text, "html.parser")
        assert badge.select_one("#notify-badge .count") is None


async def test_no_one_marks_someone_elses_notification(client_as, incident):
    [mine] = await unread_of("office")
    async with client_as("leader") as client:
        token = await form_token(client, "/notifications")
        response = await client.post(
            f"/notifications/{mine['id']}/read",
            data={"_csrf_token": token},
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert await unread_of("office") == [mine]


async def test_marking_one_read_twice_changes_it_once(client_as, incident):
    [mine] = await unread_of("leader")
    async with client_as("leader") as client:
        token = await form_token(client, "/notifications")
        for _ in range(2):
            response = await client.post(
                f"/notifications/{mine['id']}/read", data={"_csrf_token": token}
            )
            assert response.status_code == 200
        page = BeautifulSoup(response.text, "html.parser")
        assert page.select(".entries.notifications .entry.unread") == []
    assert await unread_of("leader") == []
    [row] = await InAppNotification.select(InAppNotification.read_at).where(
        InAppNotification.id == mine["id"]
    )
    assert row["read_at"] is not None


async def test_mark_all_read_and_the_htmx_badge(client_as, incident):
    async with client_as("office") as client:
        token = await form_token(client, "/notifications")
        response = await client.post(
            "/notifications/read",
            data={"_csrf_token": token},
            headers={"hx-request": "true"},
        )
        badge = BeautifulSoup(response.text, "html.parser")
        assert badge.select_one("#notify-badge") is not None
        assert badge.select_one(".count") is None
    assert await unread_of("office") == []


async def test_a_bad_id_or_a_missing_token_is_refused(client_as, incident):
    async with client_as("office") as client:
        token = await form_token(client, "/notifications")
        bad = await client.post("/notifications/not-a-uuid/read", data={"_csrf_token": token})
        assert bad.status_code == 404
        no_token = await client.post("/notifications/read", follow_redirects=False)
        assert no_token.status_code == 403


@pytest.fixture
async def late_reports(seeded):
    """The office told that two departments' zero reports are late (read, so that the other
    tests' unread counts are theirs), and one such note stored before the names were kept as
    a list: joined in Chinese when it was queued."""
    rows = [
        {"name": name, "deadline": clock.now(), "day": clock.today()}
        for name in ("政工室", "档案室")
    ]
    note, _ = notes.zero_reports_overdue("late", rows)
    stored_joined = Note(
        note.kind, note.title, note.message, {**note.params, "departments": "办公室、财务室"}
    )
    office = Audience(roles=("office",), external=False)
    await enqueue("test:late_reports", note, office, urgent=True)
    await enqueue("test:late_reports_joined", stored_joined, office, urgent=True)
    mine = InAppNotification.key.like("test:late_reports%")
    await InAppNotification.update({InAppNotification.read_at: clock.now()}).where(mine)
    yield
    await InAppNotification.delete().where(mine)
    await NotificationEvent.delete().where(NotificationEvent.key.like("test:late_reports%"))


@pytest.mark.parametrize(
    "headers,listed,joined",
    [
        ({}, "政工室、档案室 截至", "办公室、财务室 截至"),
        ({"accept-language": "en"}, "政工室, 档案室 had not reported", "办公室、财务室 had not"),
    ],
)
async def test_late_departments_are_listed_in_the_readers_language(
    client_as, late_reports, headers, listed, joined
):
    async with client_as("office") as client:
        page = BeautifulSoup(
            (await client.get("/notifications", headers=headers)).text, "html.parser"
        )
    texts = [e.get_text(" ", strip=True) for e in page.select(".notification-zero_report_late")]
    assert len(texts) == 2
    assert any(listed in text for text in texts), texts
    # A note stored with the names already joined reads as it was stored.
    assert any(joined in text for text in texts), texts
