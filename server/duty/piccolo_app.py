"""Piccolo app: duty shifts and the duty log."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.duty.tables import DutyLogEntry, DutyShift

APP_CONFIG = AppConfig(
    app_name="duty",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[DutyShift, DutyLogEntry],
    migration_dependencies=["server.org.piccolo_app"],
)
