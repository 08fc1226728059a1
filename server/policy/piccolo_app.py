"""Piccolo app: the plan's thresholds, deadlines and retention."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.policy.tables import Setting

APP_CONFIG = AppConfig(
    app_name="policy",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Setting],
    migration_dependencies=[],
)
