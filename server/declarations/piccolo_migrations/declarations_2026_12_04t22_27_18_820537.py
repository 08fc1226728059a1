from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import DoublePrecision
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T22:27:18:820537"
VERSION = "1.38.0"
DESCRIPTION = "declarations keep the fever threshold they were judged by"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="declarations", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Declaration",
        tablename="health_declaration",
        column_name="fever_threshold",
        db_column_name="fever_threshold",
        column_class_name="DoublePrecision",
        column_class=DoublePrecision,
        params={
            "default": 37.3,
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
