"""Piccolo app: daily zero reports and their versions."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.reports.tables import ZeroReport, ZeroReportVersion

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ZeroReport, ZeroReportVersion],
    migration_dependencies=["server.org.piccolo_app"],
)
