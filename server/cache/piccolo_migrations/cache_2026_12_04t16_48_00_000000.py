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
# random() is in [0, 1): the product stays below the largest bigint.
POSTGRES_STAMP = "(random() * 9.2e18)::bigint"
POSTGRES_FUNCTION = f"""
CREATE FUNCTION data_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_generation SET generation = {POSTGRES_STAMP} WHERE name = TG_TABLE_NAME;
  RETURN NULL;
END
$$"""


def _sqlite_statements() -> list[str]:
    statements = []
    for table in TABLES:
        statements.append(
            f"INSERT INTO data_generation (name, generation) VALUES ('{table}', {SQLITE_STAMP})"
        )
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER data_generation_{table}_{event.lower()}"
                f' AFTER {event} ON "{table}" BEGIN'
                f" UPDATE data_generation SET generation = {SQLITE_STAMP}"
                f" WHERE name = '{table}'; END"
            )
    return statements


def _postgres_statements() -> list[str]:
    statements = [POSTGRES_FUNCTION]
    for table in TABLES:
        statements.append(
            f"INSERT INTO data_generation (name, generation) VALUES ('{table}', {POSTGRES_STAMP})"
        )
        statements.append(
            f'CREATE TRIGGER data_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE'
            f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION data_generation_bump()'
        )
    return statements


async def _stamps_and_triggers():
    db = engine_finder()
    statements = _sqlite_statements() if db.engine_type == "sqlite" else _postgres_statements()
    for statement in statements:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cache", description=DESCRIPTION)
    manager.add_raw(_stamps_and_triggers)
    return manager
