"""Piccolo app: visitors' own pre-registrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.visitors.tables import Preregistration

APP_CONFIG = AppConfig(
    app_name="visitors",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Preregistration],
    migration_dependencies=[],
)
