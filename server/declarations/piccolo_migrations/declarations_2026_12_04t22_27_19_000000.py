import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, DoublePrecision, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-12-04T22:27:19:000000"
VERSION = "1.38.0"
DESCRIPTION = "declarations made before get the fever threshold in force when they were made"

# Hand-written: the migration before added the column with the default threshold. A
# declaration is judged at each submission, so it gets the threshold in force at its last one
# (updated_at). The audit log holds every change of the setting with its value before: the
# value in force at an instant is the `before` of the first change after it, or the setting
# now when none came after (the default when it was never set). The tables are described
# here as they are now, not imported, so later changes cannot change what this did.
DEFAULT = 37.3


class Declaration(Table, tablename="health_declaration"):
    updated_at = Timestamptz()
    fever_threshold = DoublePrecision()


class Setting(Table, tablename="setting"):
    key = Varchar(length=50, primary_key=True)
    value = Text()


class AuditEntry(Table, tablename="audit_entry"):
    id = Serial(primary_key=True)
    at = Timestamptz()
    entity = Varchar(length=40)
    entity_id = Varchar(length=64)
    before = JSON(null=True)


async def _now_in_force() -> float:
    row = await Setting.select(Setting.value).where(Setting.key == "fever_threshold").first()
    return float(json.loads(row["value"])) if row else DEFAULT


async def backfill() -> None:
    changes = (
        await AuditEntry.select(AuditEntry.at, AuditEntry.before)
        .where((AuditEntry.entity == "setting") & (AuditEntry.entity_id == "fever_threshold"))
        .order_by(AuditEntry.id, ascending=False)
        .output(load_json=True)
    )
    await Declaration.update({Declaration.fever_threshold: await _now_in_force()}, force=True)
    # Newest change first: each earlier one then sets the declarations made before it.
    for change in changes:
        before = (change["before"] or {}).get("fever_threshold")
        if before is None:
            continue
        await Declaration.update({Declaration.fever_threshold: float(before)}).where(
            Declaration.updated_at < change["at"]
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="declarations", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
