import uuid

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, UUID, Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-12-04T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "declaration alerts move into the notify domain's in-app notifications"

# Hand-written: the alerts of the office and of department heads (declarations_in_app_alert,
# one row per recipient role) become the notify domain's per-account notifications, so that
# nothing already shown is lost, and the old table goes. The tables are described here as
# they are now, not imported, so that later changes to the apps' tables cannot change what
# this migration did. An office alert reaches every active office and leader account, a
# head's every active head of that department, as the notify domain addresses them; an alert
# the office read is read on each copy (the office read them as one).
OFFICE_AND_LEADERS = ("office", "leader")
URGENT = {"stay_home"}
BATCH = 500  # rows per INSERT, well within SQLite's limit on parameters


class OldAlert(Table, tablename="declarations_in_app_alert"):
    id = Serial(primary_key=True)
    recipient_role = Varchar(length=10)
    department = Integer(null=True)
    person = Integer(null=True)
    kind = Varchar(length=20)
    message = Varchar(length=200)
    params = JSON()
    created_at = Timestamptz()
    read_at = Timestamptz(null=True)


class Account(Table, tablename="user_account"):
    role = Varchar(length=10)
    department = Integer(null=True)
    active = Boolean()


class Notification(Table, tablename="in_app_notification"):
    id = UUID(primary_key=True)
    key = Varchar(length=250)
    user = Integer()
    kind = Varchar(length=30)
    urgent = Boolean()
    message = Varchar(length=300)
    params = JSON()
    link = Varchar(length=200)
    created_at = Timestamptz()
    read_at = Timestamptz(null=True)


async def _readers() -> tuple[list[int], dict[int, list[int]]]:
    """Active accounts: the office's and leaders', and the heads' by department."""
    accounts = await Account.select().where(Account.active == True)  # noqa: E712
    office = [a["id"] for a in accounts if a["role"] in OFFICE_AND_LEADERS]
    heads: dict[int, list[int]] = {}
    for a in accounts:
        if a["role"] == "head" and a["department"] is not None:
            heads.setdefault(a["department"], []).append(a["id"])
    return office, heads


def _copies(alert: dict, users: list[int]) -> list[Notification]:
    link = f"/health/people/{alert['person']}" if alert["person"] is not None else ""
    return [
        Notification(
            id=uuid.uuid4(),
            key=f"declarations_in_app_alert:{alert['id']}|user:{user}",
            user=user,
            kind=alert["kind"],
            urgent=alert["kind"] in URGENT,
            message=alert["message"],
            params=alert["params"],
            link=link,
            created_at=alert["created_at"],
            read_at=alert["read_at"],
        )
        for user in users
    ]


async def move_alerts() -> None:
    office, heads = await _readers()
    rows: list[Notification] = []
    for alert in await OldAlert.select().order_by(OldAlert.id):
        users = office if alert["recipient_role"] == "office" else heads.get(alert["department"])
        rows += _copies(alert, users or [])
    for start in range(0, len(rows), BATCH):
        await Notification.insert(*rows[start : start + BATCH])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="declarations", description=DESCRIPTION)
    manager.add_raw(move_alerts)  # raw steps run first: the rows are copied before the drop
    manager.drop_table(class_name="InAppAlert", tablename="declarations_in_app_alert")
    return manager
