"""Piccolo app: the stamps that tell each app process its cached reference data changed."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.cache.tables import DataGeneration

APP_CONFIG = AppConfig(
    app_name="cache",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[DataGeneration],
    # The triggers go on these apps' tables, so their migrations run first.
    migration_dependencies=[
        "server.org.piccolo_app",
        "server.accounts.piccolo_app",
        "server.policy.piccolo_app",
        "server.emergency.piccolo_app",
        "server.disinfection.piccolo_app",
    ],
)
