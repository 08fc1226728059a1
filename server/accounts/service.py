"""Accounts: creating users, checking passwords, throttling guessers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from litestar.stores.base import Store

from server import cache
from server.accounts import usernames
from server.accounts.passwords import (
    DUMMY_HASH,
    hash_password,
    password_problem,
    verify_password,
)
from server.accounts.tables import Role, UserAccount
from server.audit import service as audit
from server.audit.service import SYSTEM, Actor
from server.db import write_transaction
from server.devices.service import still_enrolled
from server.i18n import N_
from server.org.tables import Person
from sync.db import is_sqlite

# Five wrong passwords for one username (or fifty from one address) in 15 minutes lock it
# for the rest of that window.
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 50
THROTTLE_WINDOW = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in account as the pages and guards see it."""

    id: int
    username: str
    role: str
    display_name: str
    person_id: int | None
    department_id: int | None
    locale: str
    # Stands for the password and the times the account was switched off: a session opened
    # under another stamp has ended (session_user).
    session_stamp: str = field(repr=False)

    @property
    def actor(self) -> Actor:
        return Actor(username=self.username, user_id=self.id)


class AccountError(ValueError):
    """A refused account change: a msgid and its values, translated where it is shown."""

    def __init__(self, message: str, params: dict):
        super().__init__(message % params)
        self.message, self.params = message, params


async def create_user(
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    person_id: int | None = None,
    department_id: int | None = None,
    actor: Actor = SYSTEM,
) -> int:
    """Create an account, or reset the password of the one with this name. On a reset, what
    is not given stays as it was: an empty `role` keeps the role, no person and no department
    keep both, no display name keeps it (a password reset once made the account an
    administrator, unlinked from its person, named by its login). A new name that differs
    from an account's only in capitals is refused (see usernames.key). Returns its id."""
    name = usernames.normal(username)
    if role and role not in {r.value for r in Role}:
        roles = ", ".join(r.value for r in Role)
        raise AccountError(
            N_("Unknown role %(role)s; one of %(roles)s"), {"role": role, "roles": roles}
        )
    # An account named before these rules still has its password reset; none has a NUL in
    # its name (PostgreSQL's text cannot hold one, nor be compared with one).
    if (problem := usernames.username_problem(name)) and (
        "\0" in name or (await _named(name))[0] is None
    ):
        raise AccountError(*problem)
    if problem := password_problem(password, name):
        raise AccountError(*problem)
    fields = {"password_hash": await hash_password(password), "active": True}
    if role:
        fields["role"] = role
    if person_id is not None or department_id is not None:
        fields |= {"person": person_id, "department": department_id}
    async with write_transaction():
        await _names_one_at_a_time()
        existing, other = await _named(name)
        if other and not existing:
            raise AccountError(
                N_(
                    "There is already an account %(name)s: a name that differs only in "
                    "capitals is the same name. To reset its password, enter %(name)s exactly."
                ),
                {"name": other["username"]},
            )
        if display_name or not existing:
            fields["display_name"] = display_name or await _person_name(person_id) or name
        if existing:
            await UserAccount.update(fields).where(UserAccount.id == existing["id"])
            user_id, name, action = existing["id"], existing["username"], "update"
        else:
            if not role:
                raise AccountError(N_("Choose a role for a new account"), {})
            rows = await UserAccount.insert(
                UserAccount(
                    username=name,
                    username_key=usernames.key(name),
                    **{"person": None, "department": None, **fields},
                )
            ).returning(UserAccount.id)
            user_id, action = rows[0]["id"], "create"
        shown = {k: v for k, v in fields.items() if k != "password_hash"}
        await audit.record(
            actor, action, "user_account", user_id, None, {"username": name, **shown}
        )
    return user_id


async def _named(name: str) -> tuple[dict | None, dict | None]:
    """The account this name (usernames.normal) opens, and one whose name differs from it
    only in capitals (it has the name's key), each or both None. Both can be there only for
    accounts made before names were compared so."""
    rows = await UserAccount.select(
        UserAccount.id, UserAccount.username, UserAccount.password_hash, UserAccount.active
    ).where((UserAccount.username == name) | (UserAccount.username_key == usernames.key(name)))
    same = next((r for r in rows if usernames.normal(r["username"]) == name), None)
    return same, next((r for r in rows if r is not same), None)


# Any constant, the same in every app process: PostgreSQL's advisory lock of account writes.
ACCOUNT_NAMES_LOCK = 0x686A_7573  # "hjus"


async def _names_one_at_a_time() -> None:
    """Two new names that differ only in capitals, written at once, must not both find the
    other absent; the unique index would refuse the second with a database error instead of
    a reason. SQLite's write transaction already lets one writer in at a time."""
    if not is_sqlite():
        await UserAccount.raw("SELECT pg_advisory_xact_lock({})", ACCOUNT_NAMES_LOCK)


async def _person_name(person_id: int | None) -> str:
    if person_id is None:
        return ""
    row = await Person.select(Person.name).where(Person.id == person_id).first()
    return row["name"] if row else ""


@cache.kept("user_account")
async def people_names() -> dict[str, str]:
    """Each login's person as records name them (the account's display name, else the login):
    a report to the district says who sent it, not which login."""
    rows = await UserAccount.select(UserAccount.username, UserAccount.display_name)
    return {r["username"]: r["display_name"] or r["username"] for r in rows}


@cache.kept("user_account")
async def load_user(user_id: int) -> CurrentUser | None:
    row = (
        await UserAccount.select()
        .where((UserAccount.id == user_id) & (UserAccount.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        display_name=row["display_name"] or row["username"],
        person_id=row["person"],
        department_id=row["department"],
        locale=row["locale"],
        session_stamp=_stamp(row["password_hash"], row["switched_off"]),
    )


def _stamp(password_hash: str, switched_off: int) -> str:
    # Every hash has its own random salt: setting the same password again changes it too.
    return hashlib.sha256(f"{switched_off}:{password_hash}".encode()).hexdigest()[:16]


def session_data(user: CurrentUser) -> dict:
    """What a login session holds: the account, and the password it was opened with and
    how many times the account had been switched off by then."""
    return {"user_id": user.id, "stamp": user.session_stamp}


async def session_user(session: dict) -> CurrentUser | None:
    """The account a login session acts for, or None once that session has ended: its
    account was switched off since the session was opened, even if it is on again (while it
    is off, load_user reads nothing), its password was set anew since then, by the
    administrator or by its owner (whose own session is opened again: session_data), or the
    desk phone it was used on was revoked (the sync notes the phone's token in the session).
    Read at every request, in every app process."""
    user_id = session.get("user_id")
    user = await load_user(user_id) if isinstance(user_id, int) else None
    if user is None or session.get("stamp") != user.session_stamp:
        return None
    if (device := session.get("device")) and not await still_enrolled(device):
        return None
    return user


class Throttled(Exception):
    pass


async def _failures(store: Store, key: str) -> int:
    raw = await store.get(key)
    return json.loads(raw) if raw else 0


async def authenticate(
    store: Store, username: str, password: str, address: str
) -> CurrentUser | None:
    """The account these credentials open, or None. Raises Throttled while too many recent
    failures stand against the username (whatever its capitals) or the address."""
    name = usernames.normal(username)
    user_key, address_key = f"login-fail:user:{usernames.key(name)}", f"login-fail:ip:{address}"
    if (
        await _failures(store, user_key) >= MAX_FAILURES_PER_USER
        or await _failures(store, address_key) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise Throttled
    # Any capitals open the account (a phone's keyboard starts with one), as the lockout
    # above counts them as one name; an older account's exact name opens that one.
    same, other = await _named(name)
    row = same or other
    if row and not row["active"]:
        row = None
    ok = await verify_password(row["password_hash"] if row else DUMMY_HASH, password)
    if row and ok:
        await store.delete(user_key)
        return await load_user(row["id"])
    counts = {}
    for key in (user_key, address_key):
        expires = await store.expires_in(key)
        counts[key] = await _failures(store, key) + 1
        await store.set(
            key,
            json.dumps(counts[key]),
            expires_in=expires if expires and expires > 0 else THROTTLE_WINDOW,
        )
    actor = Actor(username=username)
    await audit.record(actor, "login_failed", "user_account", username, None, {"from": address})
    if counts[user_key] == MAX_FAILURES_PER_USER:
        window = {"minutes": int(THROTTLE_WINDOW.total_seconds() // 60), "from": address}
        await audit.record(actor, "account_locked", "user_account", username, None, window)
    return None


async def set_locale(user_id: int, locale: str) -> None:
    await UserAccount.update({UserAccount.locale: locale}).where(UserAccount.id == user_id)


async def set_active(user_id: int, active: bool, actor: Actor) -> bool:
    """Switch an account off (its sessions end at their next request, and stay ended when it
    is switched on again: session_user) or on again; audited. False when there is no such
    account; an administrator cannot switch their own account off."""
    async with write_transaction():
        row = await UserAccount.select(UserAccount.active).where(UserAccount.id == user_id).first()
        if row is None or (not active and user_id == actor.user_id):
            return False
        if row["active"] != active:
            change = {UserAccount.active: active}
            if not active:
                change[UserAccount.switched_off] = UserAccount.switched_off + 1
            await UserAccount.update(change).where(UserAccount.id == user_id)
            await audit.record(
                actor,
                "update",
                "user_account",
                user_id,
                {"active": row["active"]},
                {"active": active},
            )
    return True
