"""Usernames: one account per name whatever its capitals, names a person can type and read,
and a login that does not care about capitals."""

import asyncio

import pytest
from bs4 import BeautifulSoup

from server.accounts.service import create_user
from server.accounts.tables import UserAccount
from tests.http.conftest import log_in
from tests.support import csrf_from

PASSWORD = "Hall-entrance-42"


async def save(admin, **form):
    token = csrf_from((await admin.get("/admin/users")).text)
    return await admin.post("/admin/users", data={"_csrf_token": token, **form})


def error_of(page) -> str:
    alert = BeautifulSoup(page.text, "html.parser").select_one(".alert.error")
    return alert.get_text(strip=True) if alert else ""


async def named(key: str) -> list[str]:
    rows = await UserAccount.select(UserAccount.username).where(UserAccount.username_key == key)
    return [r["username"] for r in rows]


async def test_a_name_differing_only_in_capitals_is_refused_and_the_first_keeps_its_password(
    client_as, seeded
):
    async with client_as("admin") as admin:
        first = await save(admin, username="wang", password=PASSWORD, role="staff")
        before = await UserAccount.select().where(UserAccount.username == "wang").first()
        refused = [
            await save(admin, username=name, password="Another-one-77", role="head")
            for name in ("Wang", "ＷＡＮＧ")
        ]
        after = await UserAccount.select().where(UserAccount.username == "wang").first()
    assert first.status_code == 200 and await named("wang") == ["wang"]
    for page in refused:
        assert page.status_code == 422
        assert "已有账号 wang" in error_of(page) and "大小写" in error_of(page)
        form = BeautifulSoup(page.text, "html.parser")
        assert form.select_one('input[name="username"]')["value"] in ("Wang", "ＷＡＮＧ")
    assert after == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请输入用户名"),
        ("x" * 51, "用户名最多 50 个字符"),
        ("wang ping", "不能有空格"),
        ("wang\tping", "不能有空格"),
        ("wang\x00", "不能有空格"),
        ("wang@hall", "不能有空格"),
    ],
)
async def test_a_username_out_of_bounds_is_refused_with_the_reason(
    client_as, seeded, typed, message
):
    async with client_as("admin") as admin:
        count = await UserAccount.count()
        page = await save(admin, username=typed, password=PASSWORD, role="staff")
    assert page.status_code == 422 and message in error_of(page)
    assert await UserAccount.count() == count


async def test_chinese_names_digits_and_marks_are_usernames_and_full_width_is_plain(
    client_as, seeded
):
    async with client_as("admin") as admin:
        for typed in ("王小明", "li.ming_01-b", "ｚｈａｏ０１", "x" * 50):
            page = await save(admin, username=typed, password=PASSWORD, role="staff")
            assert page.status_code == 200, error_of(page)
    assert await named("zhao01") == ["zhao01"]
    assert await named("王小明") == ["王小明"]


async def test_login_ignores_capitals_as_the_lockout_does(anonymous, seeded):
    response = await log_in(anonymous, "DeSk")
    assert response.status_code == 303
    assert (await anonymous.get("/desk", headers={"accept": "text/html"})).url.path == "/desk"


async def test_two_names_differing_in_capitals_saved_at_once_make_one_account(seeded):
    results = await asyncio.gather(
        create_user("Zhou", PASSWORD, "staff"),
        create_user("zhou", PASSWORD, "staff"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AccountError", "int"], results
    assert len(await named("zhou")) == 1
