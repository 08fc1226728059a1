import ast

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, UUID, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ID = "2026-12-04T22:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sick absences stored with their symptoms as a Python list get the line typed"

# Hand-written: before commit dacf321 the sick-absence forms read `symptoms` as ticked boxes,
# so the line typed was stored as the repr of a list ("['发热、咳嗽']", or "['发热', '咳嗽']"
# when posted twice), cut at 200 characters. Each such row gets the line back, several
# values joined by 、, and an audit row saying so, as every write has. The tables are described
# here as they are now, not imported, so later changes cannot change what this did.
SEPARATOR = "、"


class SickAbsence(Table, tablename="sick_absence"):
    id = UUID(primary_key=True)
    symptoms = Varchar(length=200)


class AuditEntry(Table, tablename="audit_entry"):
    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow())
    actor = Varchar(length=50)
    actor_id = Integer(null=True)
    device = Varchar(length=64)
    action = Varchar(length=20)
    entity = Varchar(length=40)
    entity_id = Varchar(length=64)
    before = JSON(null=True)
    after = JSON(null=True)


def _items(stored: str) -> list[str] | None:
    """The strings of a list's repr; as far as they go when it was cut short. None when
    `stored` is no such repr (a line typed after the fix)."""
    if not stored.startswith(("['", '["')):
        return None
    try:
        items = ast.literal_eval(stored)
    except (ValueError, SyntaxError):
        # Cut at 200 characters: its end (and maybe a closing quote) is gone.
        return stored[2:].rstrip("'\"").split("', '")
    if isinstance(items, list) and all(isinstance(item, str) for item in items):
        return items
    return None


def typed(stored: str) -> str | None:
    """The line typed, from what was stored; None when it needs no repair (or nothing
    would be left of it)."""
    items = _items(stored)
    line = SEPARATOR.join(item.strip() for item in items or () if item.strip())
    return line or None


async def repair() -> None:
    rows = await SickAbsence.select().where(SickAbsence.symptoms.like("[%"))
    for row in rows:
        line = typed(row["symptoms"])
        if line is None or line == row["symptoms"]:
            continue
        await SickAbsence.update({SickAbsence.symptoms: line}).where(SickAbsence.id == row["id"])
        await AuditEntry.insert(
            AuditEntry(
                actor="system",
                actor_id=None,
                device="",
                action="repair",
                entity="sick_absence",
                entity_id=str(row["id"]),
                before={"symptoms": row["symptoms"]},
                after={"symptoms": line},
            )
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="declarations", description=DESCRIPTION)
    manager.add_raw(repair)
    return manager
