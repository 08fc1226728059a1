"""Piccolo app: departments, resident windows and the staff roster."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.org.tables import Department, Person, Window

APP_CONFIG = AppConfig(
    app_name="org",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Department, Person, Window],
    migration_dependencies=[],
)
