"""What a username may be, and when two usernames are the same one."""

from __future__ import annotations

import unicodedata

from server.i18n import N_

MAX_LENGTH = 50  # UserAccount.username's
# Besides letters (Chinese ones too), digits and the marks some scripts write letters with.
PUNCTUATION = "._-"


def normal(name: str) -> str:
    """The name as stored: a Chinese keyboard's full-width letters and digits (ｗａｎｇ０１)
    as the plain ones, and no spaces around it."""
    return unicodedata.normalize("NFKC", name).strip()


def key(name: str) -> str:
    """The same for every spelling of one username: capitals do not count (nor full-width
    forms), at login, in the login lockout and in UserAccount.username_key."""
    return normal(name).casefold()


def username_problem(name: str) -> tuple[str, dict] | None:
    """Why `name` (already `normal`) cannot name a new account (a msgid and its values), or
    None."""
    if not name:
        return N_("Enter a username"), {}
    if len(name) > MAX_LENGTH:
        return N_("A username has at most %(length)s characters"), {"length": MAX_LENGTH}
    if not all(ch in PUNCTUATION or unicodedata.category(ch)[0] in "LNM" for ch in name):
        return N_(
            "A username may contain only letters (Chinese characters too), digits and . _ - "
            "(no spaces)"
        ), {}
    return None
