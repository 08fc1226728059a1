import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, UUID, Boolean, DoublePrecision, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-12-04T22:31:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "follow-ups made before are flagged abnormal as they would have been then"

# Hand-written: the migration before added the column as False. A follow-up was abnormal
# with symptoms (anything but what the office types for none) or a temperature at or above
# the fever threshold in force when it was recorded: the `before` of the first change of the
# setting after it (the audit log holds each), or the setting now when none came after (the
# default when it was never set). Nothing is escalated now: those were followed up already.
# The tables are described here as they are now, not imported, so later changes cannot
# change what this did.
DEFAULT = 37.3
NO_SYMPTOMS = {"", "无", "没有", "无症状", "否", "none", "no", "-", "—", "/"}


class ContactFollowUp(Table, tablename="contact_follow_up"):
    id = UUID(primary_key=True)
    temperature = DoublePrecision(null=True)
    symptoms = Varchar(length=100)
    abnormal = Boolean()
    at = Timestamptz()


class Setting(Table, tablename="setting"):
    key = Varchar(length=50, primary_key=True)
    value = Text()


class AuditEntry(Table, tablename="audit_entry"):
    id = Serial(primary_key=True)
    at = Timestamptz()
    entity = Varchar(length=40)
    entity_id = Varchar(length=64)
    before = JSON(null=True)


async def _thresholds() -> tuple[list[tuple], float]:
    """(when, the threshold before it) of each change of the setting, oldest first, and the
    threshold now."""
    row = await Setting.select(Setting.value).where(Setting.key == "fever_threshold").first()
    now = float(json.loads(row["value"])) if row else DEFAULT
    changes = (
        await AuditEntry.select(AuditEntry.at, AuditEntry.before)
        .where((AuditEntry.entity == "setting") & (AuditEntry.entity_id == "fever_threshold"))
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )
    found = [(c["at"], (c["before"] or {}).get("fever_threshold")) for c in changes]
    return [(at, float(before)) for at, before in found if before is not None], now


async def backfill() -> None:
    changes, now = await _thresholds()
    for row in await ContactFollowUp.select():
        threshold = next((before for at, before in changes if row["at"] < at), now)
        fever = row["temperature"] is not None and row["temperature"] >= threshold
        if fever or row["symptoms"].strip().lower() not in NO_SYMPTOMS:
            await ContactFollowUp.update({ContactFollowUp.abnormal: True}).where(
                ContactFollowUp.id == row["id"]
            )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="incidents", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
