"""Piccolo app: visitor and staff temperature checks at the desk."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.checks.tables import StaffCheck, VisitorCheck, VisitorDailyCount

APP_CONFIG = AppConfig(
    app_name="checks",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[StaffCheck, VisitorCheck, VisitorDailyCount],
    migration_dependencies=["server.org.piccolo_app", "server.accounts.piccolo_app"],
)
