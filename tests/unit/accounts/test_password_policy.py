"""The password policy as a table: what is refused, and why."""

import pytest

from server.accounts.passwords import password_problem
from server.accounts.service import AccountError, create_user


@pytest.mark.parametrize(
    ("password", "username", "refused_because"),
    [
        ("short1!", "wang", "at least"),
        ("12345678", "wang", "first ones guessed"),
        ("Password", "wang", "first ones guessed"),
        ("88888888", "wang", "first ones guessed"),
        ("abababab", "wang", "first ones guessed"),  # two characters over and over
        ("wangping2026", "WangPing", "username"),
        ("desk-2026-spring", "desk", "username"),
        ("门口测温2026春", "wang", None),
        ("demo1234", "office", None),
        ("correct horse battery", "li", None),
    ],
)
def test_password_policy(password, username, refused_because):
    problem = password_problem(password, username)
    if refused_because is None:
        assert problem is None
    else:
        assert problem is not None and refused_because in problem[0] % problem[1]


async def test_an_account_is_never_created_with_a_refused_password(fresh_db):
    with pytest.raises(AccountError, match="username"):
        await create_user("zhaolei", "zhaolei-2026", "staff")
