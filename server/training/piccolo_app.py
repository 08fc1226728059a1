"""Piccolo app: training sessions and who attended."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.training.tables import TrainingAttendance, TrainingSession

APP_CONFIG = AppConfig(
    app_name="training",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[TrainingAttendance, TrainingSession],
    migration_dependencies=["server.org.piccolo_app", "server.accounts.piccolo_app"],
)
