"""Piccolo app: the emergency-response switch and its log."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.emergency.tables import EmergencySwitch

APP_CONFIG = AppConfig(
    app_name="emergency",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[EmergencySwitch],
    migration_dependencies=[],
)
