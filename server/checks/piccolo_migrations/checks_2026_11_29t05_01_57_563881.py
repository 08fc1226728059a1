from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T05:01:57:563881"
VERSION = "1.38.0"
DESCRIPTION = "field merge metadata and clock flags"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="checks", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="StaffCheck",
        tablename="staff_check",
        column_name="clock_flag",
        db_column_name="clock_flag",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": "",
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

    manager.add_column(
        table_class_name="VisitorCheck",
        tablename="visitor_check",
        column_name="clock_flag",
        db_column_name="clock_flag",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": "",
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

    manager.add_column(
        table_class_name="VisitorCheck",
        tablename="visitor_check",
        column_name="field_meta",
        db_column_name="field_meta",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "{}",
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
