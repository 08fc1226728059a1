from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T16:48:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the triggers that stamp each cached table's changes"

# Hand-written: one stamp per cached table and the triggers that set it anew at every write
# to that table (server/cache). Not in the table's own migration: Piccolo runs a migration's
# raw steps before it creates its tables. Spelled out here, not imported, so that later
# changes to the cache cannot change what this migration did.
TABLES = (
    "setting",
    "person",
    "department",
    "hall_window",
    "disinfection_point",
    "emergency_switch",
    "user_account",
)
SQLITE_STAMP = "random()"
# random() is in [0, 1): the product stays below the largest bigint. The function's search
# path is the migration's, so a writer with another one (pg_restore sets it empty) still
# finds the table.
POSTGRES_STAMP = "(random() * 9.2e18)::bigint"
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION data_generation_bump() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE data_generation SET generation = {POSTGRES_STAMP} WHERE name = TG_TABLE_NAME;
  RETURN NULL;
END
$$"""
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _stamp_rows(stamp: str) -> list[str]:
    return [
        f"INSERT INTO data_generation (name, generation) VALUES ('{table}', {stamp})"
        f" ON CONFLICT (name) DO NOTHING"
        for table in TABLES
    ]


def _sqlite_statements() -> list[str]:
    statements = _stamp_rows(SQLITE_STAMP)
    for table in TABLES:
        for event in EVENTS:
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS data_generation_{table}_{event.lower()}"
                f' AFTER {event} ON "{table}" BEGIN'
                f" UPDATE data_generation SET generation = {SQLITE_STAMP}"
                f" WHERE name = '{table}'; END"
            )
    return statements


def _postgres_statements() -> list[str]:
    statements = [POSTGRES_FUNCTION, *_stamp_rows(POSTGRES_STAMP)]
    for table in TABLES:
        statements.append(f'DROP TRIGGER IF EXISTS data_generation_bump ON "{table}"')
        statements.append(
            f"CREATE TRIGGER data_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION data_generation_bump()'
        )
    return statements


def _sqlite_undo() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS data_generation_{table}_{event.lower()}"
        for table in TABLES
        for event in EVENTS
    ]


def _postgres_undo() -> list[str]:
    drops = [f'DROP TRIGGER IF EXISTS data_generation_bump ON "{table}"' for table in TABLES]
    return [*drops, "DROP FUNCTION IF EXISTS data_generation_bump()"]


async def _run(sqlite: list[str], postgres: list[str]) -> None:
    db = engine_finder()
    for statement in sqlite if db.engine_type == "sqlite" else postgres:
        await db.run_ddl(statement)


async def _stamps_and_triggers():
    await _run(_sqlite_statements(), _postgres_statements())


async def _no_triggers():
    await _run(_sqlite_undo(), _postgres_undo())
    await _run(["DELETE FROM data_generation"], ["DELETE FROM data_generation"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cache", description=DESCRIPTION)
    manager.add_raw(_stamps_and_triggers)
    manager.add_raw_backwards(_no_triggers)
    return manager
