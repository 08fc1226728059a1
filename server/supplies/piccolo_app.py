"""Piccolo app: prevention supplies and their stock ledger."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.supplies.tables import StockMovement, SupplyItem

APP_CONFIG = AppConfig(
    app_name="supplies",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[StockMovement, SupplyItem],
    migration_dependencies=["server.org.piccolo_app", "server.accounts.piccolo_app"],
)
