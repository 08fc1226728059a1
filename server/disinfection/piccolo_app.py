"""Piccolo app: disinfection points and the rounds logged at them."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.disinfection.tables import DisinfectionPoint, DisinfectionRound

APP_CONFIG = AppConfig(
    app_name="disinfection",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[DisinfectionPoint, DisinfectionRound],
    migration_dependencies=["server.accounts.piccolo_app"],
)
