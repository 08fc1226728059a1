from enum import StrEnum

from piccolo.columns import Boolean, Bytea, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.org.tables import Department, Person


class Role(StrEnum):
    """The users of SPEC's table; each account has exactly one."""

    admin = "admin"
    leader = "leader"  # 组长/副组长
    office = "office"  # 领导小组办公室
    head = "head"  # 股室/组/中心负责人
    staff = "staff"  # 干部职工
    desk = "desk"  # 物业 entrance desk


class UserAccount(Table, tablename="user_account"):
    username = Varchar(length=50, unique=True)
    # usernames.key(username): one account per name whatever its capitals (a unique index
    # the migration accounts_2026_12_04t22_37_22 made: SQLite cannot add a UNIQUE column).
    # None only on an account made before names were compared so whose key an older account
    # has: it logs in by its exact name alone.
    username_key = Text(null=True, default=None)
    password_hash = Varchar(length=255)
    role = Varchar(length=10, choices=Role)
    display_name = Varchar(length=50, default="")
    person = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    locale = Varchar(length=10, default="")
    active = Boolean(default=True)
    # Counts the times the account was switched off. Part of its sessions' stamp, so that
    # switching it on again does not bring back a session it had before (a lost phone's).
    switched_off = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class SessionEntry(Table, tablename="session_entry"):
    """Litestar's key-value store for login sessions and login-attempt counters, kept in the
    database so that several app processes share it."""

    key = Varchar(length=200, primary_key=True)
    value = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)
