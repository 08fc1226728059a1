from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T16:47:59:462944"
VERSION = "1.38.0"
DESCRIPTION = "stamps of the cached tables, set by triggers"

async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="cache", description=DESCRIPTION
    )

    manager.add_table(
        class_name="DataGeneration",
        tablename="data_generation",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="DataGeneration",
        tablename="data_generation",
        column_name="name",
        db_column_name="name",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 63,
            "default": "",
            "null": False,
            "primary_key": True,
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
        table_class_name="DataGeneration",
        tablename="data_generation",
        column_name="generation",
        db_column_name="generation",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
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
