"""Piccolo's configuration: the engine from HALLWATCH_DB and one Piccolo app per domain."""

import os

from piccolo.conf.apps import AppRegistry

from server.db import engine_from_url
from server.settings import DEFAULT_DB

DB = engine_from_url(os.environ.get("HALLWATCH_DB", DEFAULT_DB))

APP_REGISTRY = AppRegistry(
    apps=[
        "server.org.piccolo_app",
        "server.accounts.piccolo_app",
        "server.policy.piccolo_app",
        "server.audit.piccolo_app",
        "server.checks.piccolo_app",
        "server.devices.piccolo_app",
        "server.incidents.piccolo_app",
        "server.supplies.piccolo_app",
        "server.notices.piccolo_app",
        "server.training.piccolo_app",
        "server.declarations.piccolo_app",
        "server.emergency.piccolo_app",
        "server.notify.piccolo_app",
        "server.reports.piccolo_app",
        "server.duty.piccolo_app",
        "server.disinfection.piccolo_app",
        "server.visitors.piccolo_app",
        "sync.piccolo_app",
        "server.cache.piccolo_app",
    ]
)
