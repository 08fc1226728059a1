import logging
import unicodedata

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Serial, Text, Varchar
from piccolo.table import Table

ID = "2026-12-04T22:37:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "username_key filled in, then unique: one account per name whatever its capitals"

# Hand-written, after the --auto migration that added the column. The table and the key are
# written out here as they are now, not imported, so that later changes to the app cannot
# change what this migration did (server/accounts/usernames.py's key() is the same rule).
#
# Accounts made before may already differ only in case ("wang" and "Wang"); the migration must
# not fail on them, nor rename anyone (their logins are in use). The oldest account of each
# such group gets the key, so every spelling opens it and no new account can take the name;
# the others keep a NULL key (a unique index admits any number of NULLs, on SQLite and on
# PostgreSQL) and log in by their exact name alone. Each is logged (migrations run quietly),
# for the administrator to switch off the ones nobody needs.
INDEX = "user_account_username_key_unique"
log = logging.getLogger(__name__)


class Account(Table, tablename="user_account"):
    id = Serial(primary_key=True)
    username = Varchar(length=50)
    username_key = Text(null=True, default=None)


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


async def _fill():
    taken: dict[str, str] = {}
    for row in await Account.select(Account.id, Account.username).order_by(Account.id):
        key = _key(row["username"])
        if key in taken:
            log.warning("account %r logs in by its exact name alone: %r has its key", row["username"], taken[key])
            continue
        taken[key] = row["username"]
        await Account.update({Account.username_key: key}).where(Account.id == row["id"])
    await Account.raw(f'CREATE UNIQUE INDEX "{INDEX}" ON "user_account" ("username_key")')


async def _unfill():
    await Account.raw(f'DROP INDEX IF EXISTS "{INDEX}"')
    await Account.update({Account.username_key: None}, force=True)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(_fill)
    manager.add_raw_backwards(_unfill)
    return manager
