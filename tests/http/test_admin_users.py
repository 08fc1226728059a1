"""The admin's account form: creating an account, and resetting a password without
changing who the account is."""

from server.accounts.service import create_user
from server.accounts.tables import UserAccount
from tests.http.conftest import log_in
from tests.http.conftest import test_client as app_client
from tests.support import DEMO_PASSWORD, csrf_from

AS_BROWSER = {"accept": "text/html"}


async def account(username: str) -> dict:
    return await UserAccount.select().where(UserAccount.username == username).first()


async def save(admin, **form):
    token = csrf_from((await admin.get("/admin/users")).text)
    return await admin.post("/admin/users", data={**form, "_csrf_token": token})


async def test_a_password_reset_keeps_the_role_the_person_and_the_name(client_as, seeded):
    before = await account("staff")
    async with client_as("admin") as admin:
        response = await save(admin, username="staff", password="Wang-new-2026", role="")
    after = await account("staff")
    assert response.status_code == 200, response.text[response.text.find("alert") :][:300]
    assert after["password_hash"] != before["password_hash"]
    assert (after["role"], after["person"], after["department"], after["display_name"]) == (
        "staff",
        before["person"],
        before["department"],
        "王萍",
    )


async def test_a_new_account_must_choose_a_role(client_as, seeded):
    async with client_as("admin") as admin:
        refused = await save(admin, username="newcomer", password="Arrived-2026", role="")
        created = await save(admin, username="newcomer", password="Arrived-2026", role="desk")
    assert refused.status_code == 422 and "角色" in refused.text
    assert created.status_code == 200 and (await account("newcomer"))["role"] == "desk"


async def test_an_account_switched_off_is_logged_out_at_once_and_can_be_switched_on(
    client_as, seeded
):
    desk_id = (await account("desk"))["id"]
    async with client_as("desk") as desk, client_as("admin") as admin:
        assert (await desk.get("/desk")).status_code == 200
        token = csrf_from((await admin.get("/admin/users")).text)
        off = await admin.post(
            f"/admin/users/{desk_id}/active", data={"active": "off", "_csrf_token": token}
        )
        assert off.status_code in (200, 303)
        refused = await desk.get("/desk", follow_redirects=False)
        page = await admin.get("/admin/users")
        await admin.post(
            f"/admin/users/{desk_id}/active", data={"active": "on", "_csrf_token": token}
        )
    assert refused.status_code in (302, 303, 401) and "/login" in refused.headers.get(
        "location", "/login"
    )
    assert "已停用" in page.text
    assert (await account("desk"))["active"] is True


async def still_logged_in(client, path: str = "/team") -> bool:
    """Whether a page opens, or the browser is sent to log in."""
    response = await client.get(path, headers=AS_BROWSER, follow_redirects=False)
    assert response.status_code == 200 or response.headers["location"].startswith("/login")
    return response.status_code == 200


async def test_a_password_reset_ends_every_session_the_account_had(app, client_as, seeded):
    async with client_as("head") as first, client_as("head") as second:
        assert await still_logged_in(first) and await still_logged_in(second)
        async with client_as("admin") as admin:
            saved = await save(admin, username="head", password="Reset-by-admin-7", role="")
        assert saved.status_code == 200, saved.text[saved.text.find("alert") :][:300]
        ended = [await client.get("/team", headers=AS_BROWSER) for client in (first, second)]
    assert [r.url.path for r in ended] == ["/login", "/login"]
    async with app_client(app) as again:
        assert (await log_in(again, "head", "Reset-by-admin-7")).status_code == 303
        assert await still_logged_in(again)


async def test_an_admin_setting_their_own_password_stays_logged_in_only_there(client_as, seeded):
    try:
        async with client_as("admin") as here, client_as("admin") as elsewhere:
            saved = await save(here, username="admin", password="Own-new-password-8", role="")
            assert saved.status_code == 200
            assert await still_logged_in(here, "/admin/users")
            assert not await still_logged_in(elsewhere, "/admin/users")
    finally:
        await create_user("admin", DEMO_PASSWORD, "")


async def switch(admin, user_id: int, active: str):
    token = csrf_from((await admin.get("/admin/users")).text)
    response = await admin.post(
        f"/admin/users/{user_id}/active", data={"active": active, "_csrf_token": token}
    )
    assert response.status_code == 200 and response.url.path == "/admin/users"


async def test_switching_an_account_off_ends_its_sessions_for_good(app, client_as, seeded):
    office_id = (await account("office"))["id"]
    async with client_as("office") as lost_phone, client_as("admin") as admin:
        assert await still_logged_in(lost_phone, "/dashboard")
        await switch(admin, office_id, "off")
        await switch(admin, office_id, "on")
        assert not await still_logged_in(lost_phone, "/dashboard")
    async with app_client(app) as again:
        assert (await log_in(again, "office")).status_code == 303
        assert await still_logged_in(again, "/dashboard")
