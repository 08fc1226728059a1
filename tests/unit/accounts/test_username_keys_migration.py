"""The migration that gave accounts a key of their name without capitals, on accounts made
before: names differing only in capitals keep working, the oldest takes the key, and the
migration does not fail on them. Run for real: two steps back, old rows in, forwards."""

import importlib

import pytest
from litestar.stores.memory import MemoryStore
from piccolo.apps.migrations.commands.backwards import run_backwards

from server.accounts.passwords import hash_password
from server.accounts.service import AccountError, authenticate, create_user
from server.accounts.tables import UserAccount
from server.migrations import migrate
from tests.support import reset_database

ADDED = importlib.import_module(
    "server.accounts.piccolo_migrations.accounts_2026_12_04t22_37_21_292742"
)
PASSWORDS = {"wang": "Oldest-wang-11", "Wang": "Second-wang-22", "zhang san": "Spaced-name-33"}


@pytest.fixture(scope="module", autouse=True)
async def accounts_made_before():
    await reset_database()
    result = await run_backwards("accounts", migration_id=ADDED.ID, auto_agree=True)
    assert result.success, result.message
    try:
        for name, password in PASSWORDS.items():
            await UserAccount.raw(
                "INSERT INTO user_account (username, password_hash, role, display_name, locale,"
                " active, created_at) VALUES ({}, {}, 'staff', '', '', true, current_timestamp)",
                name,
                await hash_password(password),
            )
    finally:
        await migrate()


async def opens(typed: str, password: str) -> str | None:
    user = await authenticate(MemoryStore(), typed, password, "test")
    return user.username if user else None


async def test_the_oldest_of_names_differing_in_capitals_takes_the_key():
    rows = await UserAccount.select(UserAccount.username, UserAccount.username_key).order_by(
        UserAccount.id
    )
    assert [(r["username"], r["username_key"]) for r in rows] == [
        ("wang", "wang"),
        ("Wang", None),
        ("zhang san", "zhang san"),
    ]


async def test_each_logs_in_by_its_exact_name_and_any_other_capitals_open_the_oldest():
    assert await opens("Wang", PASSWORDS["Wang"]) == "Wang"
    assert await opens("wang", PASSWORDS["wang"]) == "wang"
    assert await opens("WANG", PASSWORDS["wang"]) == "wang"
    assert await opens("WANG", PASSWORDS["Wang"]) is None


async def test_no_new_account_takes_the_name_and_an_old_one_still_has_its_password_reset():
    with pytest.raises(AccountError):
        await create_user("WanG", "New-account-44", "staff")
    await create_user("zhang san", "Reset-password-55", "")
    assert await opens("Zhang San", "Reset-password-55") == "zhang san"
    with pytest.raises(AccountError):
        await create_user("li si", "New-account-66", "staff")
