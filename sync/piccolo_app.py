"""Piccolo app: the sync ledger, the change feed and the conflict queue."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from sync.tables import AppliedMutation, SyncChange, SyncConflict, SyncFeedFloor

APP_CONFIG = AppConfig(
    app_name="sync",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[AppliedMutation, SyncChange, SyncConflict, SyncFeedFloor],
    migration_dependencies=[],
)
