from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T11:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "an index on a visitor's mobile number's last four digits, for the office's search"

# The office finds a visitor by the last four (or more) digits of their mobile, or the whole
# number. A substring LIKE read every check of the day; this index on the last four digits
# and the time reads only the day's few checks that end with them. An expression index, not
# a stored column, so no write path has a copy to keep in step. substr(phone, 8, 4) is the
# last four of an 11-digit mobile (the only numbers the rules accept) and reads the same on
# SQLite and PostgreSQL; the search must write the same expression for the index to be used.
NAME = "visitor_check_phone_tail_time_in"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checks", description=DESCRIPTION)

    async def create():
        from server.checks.tables import VisitorCheck

        await VisitorCheck.raw(
            f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "visitor_check" (substr(phone, 8, 4), time_in)'
        )

    async def drop():
        from server.checks.tables import VisitorCheck

        await VisitorCheck.raw(f'DROP INDEX IF EXISTS "{NAME}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
