"""Piccolo app: the audit log."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.audit.tables import AuditEntry

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[AuditEntry],
    migration_dependencies=[],
)
