from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T22:31:45:466784"
VERSION = "1.38.0"
DESCRIPTION = "close-contact follow-ups keep whether they were abnormal"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="incidents", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ContactFollowUp",
        tablename="contact_follow_up",
        column_name="abnormal",
        db_column_name="abnormal",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
