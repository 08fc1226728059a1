"""Piccolo app: notifications (in-app, outbox) and the scheduler's jobs."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.notify.tables import InAppNotification, NotificationEvent, OutboxMessage, ScheduledJob

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[NotificationEvent, InAppNotification, OutboxMessage, ScheduledJob],
    migration_dependencies=["server.accounts.piccolo_app"],
)
