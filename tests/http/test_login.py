"""Logging in and out: cookies, throttling, session rotation, redirects, language."""

import datetime as dt

from server.audit.tables import AuditEntry
from tests.http.conftest import log_in
from tests.support import csrf_from


def session_cookie(response) -> str:
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    return next(c for c in cookies if c.startswith("hallwatch_session="))


async def test_session_cookie_is_httponly_and_samesite(anonymous):
    response = await log_in(anonymous, "office")
    cookie = session_cookie(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert response.headers["location"] == "/"


async def test_wrong_password_is_refused_with_a_message(anonymous):
    response = await log_in(anonymous, "office", "wrong-password")
    assert response.status_code == 400
    still_out = await anonymous.get("/office", headers={"accept": "application/json"})
    assert still_out.status_code == 401
    assert "Wrong username or password" in response.text or "用户名或密码" in response.text
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "login_failed") & (AuditEntry.entity_id == "office")
    )


async def test_five_failures_lock_the_username_even_for_the_right_password(anonymous):
    for _ in range(5):
        assert (await log_in(anonymous, "staff", "not-it")).status_code == 400
    locked = await log_in(anonymous, "staff")
    assert locked.status_code == 429
    lockouts = await AuditEntry.count().where(
        (AuditEntry.action == "account_locked") & (AuditEntry.entity_id == "staff")
    )
    assert lockouts == 1  # the lock is audited once, when it starts
    # Another account from the same address still gets in.
    assert (await log_in(anonymous, "head")).status_code == 303


async def test_unknown_user_gets_the_same_answer_as_a_wrong_password(anonymous):
    response = await log_in(anonymous, "nobody-here", "whatever-1")
    assert response.status_code == 400


async def test_login_replaces_the_session_id(anonymous):
    page = await anonymous.get("/login")
    anonymous.cookies.set("hallwatch_session", "attacker-chosen-id")
    response = await anonymous.post(
        "/login",
        data={
            "username": "desk",
            "password": "demo-password-1",
            "_csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "attacker-chosen-id" not in session_cookie(response)


async def test_logout_ends_the_session_on_the_server(anonymous):
    await log_in(anonymous, "desk")
    stolen = anonymous.cookies.get("hallwatch_session")
    page = await anonymous.get("/desk")
    out = await anonymous.post(
        "/logout", data={"_csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert out.headers["clear-site-data"] == '"cache"'
    anonymous.cookies.set("hallwatch_session", stolen)
    response = await anonymous.get("/desk", headers={"accept": "application/json"})
    assert response.status_code == 401


async def test_next_only_goes_to_this_site(anonymous):
    page = await anonymous.get("/login?next=//evil.example/")
    assert 'name="next" value="/"' in page.text
    response = await anonymous.post(
        "/login",
        data={
            "username": "office",
            "password": "demo-password-1",
            "next": "https://evil.example",
            "_csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


async def test_next_returns_to_the_page_asked_for(anonymous):
    page = await anonymous.get("/login?next=/office")
    response = await anonymous.post(
        "/login",
        data={
            "username": "office",
            "password": "demo-password-1",
            "next": "/office",
            "_csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/office"


async def test_language_switch_is_remembered_for_the_user(client_as):
    async with client_as("office") as client:
        page = await client.get("/office")
        assert '<html lang="zh-CN">' in page.text
        await client.post(
            "/language",
            data={"locale": "en", "next": "/office", "_csrf_token": csrf_from(page.text)},
        )
        client.cookies.delete("lang")
        again = await client.get("/office")
        assert '<html lang="en">' in again.text
        await client.post(
            "/language",
            data={"locale": "zh", "next": "/office", "_csrf_token": csrf_from(again.text)},
        )


async def test_browser_language_is_used_before_login(anonymous):
    page = await anonymous.get("/login", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page.text
    assert '<html lang="zh-CN">' in (await anonymous.get("/login")).text


async def test_an_unchanged_session_is_written_back_only_when_its_expiry_is_due(
    anonymous, monkeypatch
):
    """A page view does not write the session back; its expiry still slides on, a step at a
    time, so a desk in use all day stays logged in."""
    from server import clock
    from server.accounts.tables import SessionEntry

    await log_in(anonymous, "desk")
    key = anonymous.cookies.get("hallwatch_session")

    async def expiry():
        return (await SessionEntry.select().where(SessionEntry.key == key).first())["expires_at"]

    at_login = await expiry()
    assert (await anonymous.get("/desk")).status_code == 200
    assert await expiry() == at_login
    later = clock.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert (await anonymous.get("/desk")).status_code == 200
    assert await expiry() > at_login + dt.timedelta(minutes=5)
