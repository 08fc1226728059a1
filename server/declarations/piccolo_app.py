"""Piccolo app: health declarations, work status and sick absence."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.declarations.tables import (
    Declaration,
    DeclarationRevision,
    FollowUp,
    SickAbsence,
    WorkStatus,
    WorkStatusChange,
)

APP_CONFIG = AppConfig(
    app_name="declarations",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Declaration,
        DeclarationRevision,
        WorkStatus,
        WorkStatusChange,
        SickAbsence,
        FollowUp,
    ],
    # notify: the migration that moved the old in-app alerts into its tables runs after them.
    migration_dependencies=[
        "server.org.piccolo_app",
        "server.accounts.piccolo_app",
        "server.notify.piccolo_app",
    ],
)
