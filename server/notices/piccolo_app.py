"""Piccolo app: notices, acknowledgements and reminders."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.notices.tables import Notice, NoticeRead, NoticeReminder

APP_CONFIG = AppConfig(
    app_name="notices",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Notice, NoticeRead, NoticeReminder],
    migration_dependencies=["server.org.piccolo_app", "server.accounts.piccolo_app"],
)
