"""Piccolo app: incidents and their timelines."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.incidents.tables import CloseContact, ContactFollowUp, Incident, IncidentStep

APP_CONFIG = AppConfig(
    app_name="incidents",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Incident, IncidentStep, CloseContact, ContactFollowUp],
    migration_dependencies=[],
)
