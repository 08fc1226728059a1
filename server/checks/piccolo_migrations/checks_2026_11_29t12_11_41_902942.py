from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-29T12:11:41:902942"
VERSION = "1.38.0"
DESCRIPTION = "drop the status indexes the (status, time) indexes make redundant; autovacuum"

# The (status, time) indexes (checks_2026_11_29t09_55) serve every query the status index
# served, status being their first column. With both, PostgreSQL chose the status index for
# the dashboard's abnormal counts and read every abnormal row of the 90 days: 230 ms at a
# million checks, 34 ms without it.
#
# On PostgreSQL the dashboard counts checks from the time indexes alone only where the
# table's visibility map is current; by default autovacuum sets it after inserts of 20 % of
# the table (at a million checks: every 18 days of a busy hall), so the trend's days made
# the count visit every row. 1 % keeps it within about a day. SQLite has no such setting.
TABLES = {"StaffCheck": "staff_check", "VisitorCheck": "visitor_check"}


def _autovacuum(setting: str):
    async def alter():
        from piccolo.engine.postgres import PostgresEngine

        from server.checks.tables import VisitorCheck

        if isinstance(VisitorCheck._meta.db, PostgresEngine):
            for table in TABLES.values():
                await VisitorCheck.raw(f'ALTER TABLE "{table}" {setting}')

    return alter


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checks", description=DESCRIPTION)

    # As `piccolo migrations new checks --auto` wrote them, one per table.
    for class_name, tablename in TABLES.items():
        manager.alter_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name="status",
            db_column_name="status",
            params={"index": False},
            old_params={"index": True},
            column_class=Varchar,
            old_column_class=Varchar,
            schema=None,
        )

    manager.add_raw(_autovacuum("SET (autovacuum_vacuum_insert_scale_factor = 0.01)"))
    manager.add_raw_backwards(_autovacuum("RESET (autovacuum_vacuum_insert_scale_factor)"))
    return manager
