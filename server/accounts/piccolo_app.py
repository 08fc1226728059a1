"""Piccolo app: user accounts, roles and login sessions."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.accounts.tables import SessionEntry, UserAccount

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SessionEntry, UserAccount],
    migration_dependencies=["server.org.piccolo_app"],
)
