"""Piccolo app: enrolled desk phones."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.devices.tables import Device

APP_CONFIG = AppConfig(
    app_name="devices",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Device],
    migration_dependencies=[],
)
