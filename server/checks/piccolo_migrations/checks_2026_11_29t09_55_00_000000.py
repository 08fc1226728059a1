from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T09:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for the office list and the dashboard at a city hall's scale"

# Piccolo's --auto cannot express an index over two columns, hence raw SQL (the same on
# SQLite and PostgreSQL). The time after the status: "abnormal only" and the dashboard's
# abnormal counts read a few days' abnormal rows instead of every abnormal row of the whole
# retention period (or every row of those days).
INDEXES = {
    "visitor_check_status_time_in": ("visitor_check", "status, time_in"),
    "staff_check_status_taken_at": ("staff_check", "status, taken_at"),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checks", description=DESCRIPTION)

    async def create():
        from server.checks.tables import VisitorCheck

        for name, (table, columns) in INDEXES.items():
            await VisitorCheck.raw(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')

    async def drop():
        from server.checks.tables import VisitorCheck

        for name in INDEXES:
            await VisitorCheck.raw(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
