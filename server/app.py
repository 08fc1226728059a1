"""create_app(): every controller of Hallwatch, listed, and the middleware they rely on."""

from __future__ import annotations

import asyncio

from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.security.session_auth import SessionAuth
from litestar.static_files import create_static_files_router
from litestar_htmx import HTMXRequest

from server import db, errors, housekeeping
from server.accounts.controller import SESSION_STORE, AccountsController
from server.accounts.service import load_user
from server.accounts.sessions import RotatingSessionConfig
from server.accounts.store import DatabaseStore
from server.admin.controller import AdminController
from server.checks.desk import DeskController
from server.checks.office import OfficeController
from server.devices.controller import DevicesController, EnrollController
from server.devices.outbox_import import OutboxImportController
from server.devices.sync_routes import SyncController
from server.emergency import service as emergency
from server.emergency.controller import EmergencyController
from server.health import healthz
from server.home import home
from server.incidents.controller import IncidentsController
from server.me.controller import MeController
from server.settings import WEB_DIR, Settings
from server.shell import manifest, service_worker
from server.web import template_config

PUBLIC_PATHS = ["^/login$", "^/language$", "^/static/", "^/healthz$", "^/sw.js$", "^/manifest"]


async def _session_user(session: dict, _connection) -> object:
    user_id = session.get("user_id")
    return await load_user(user_id) if isinstance(user_id, int) else None


async def _emergency_state(request: Request) -> None:
    """Every page shows the emergency-response banner while it is on."""
    if request.scope.get("user") is not None:
        request.state.emergency = await emergency.current()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    session_auth = SessionAuth[object, object](
        retrieve_user_handler=_session_user,
        session_backend_config=RotatingSessionConfig(
            key="hallwatch_session",
            store=SESSION_STORE,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            max_age=settings.session_hours * 3600,
        ),
        exclude=PUBLIC_PATHS,
    )
    engine = db.engine()

    background: list[asyncio.Task] = []

    async def connect() -> None:
        await db.start(engine)
        background.append(asyncio.create_task(housekeeping.forever()))

    async def disconnect() -> None:
        for task in background:
            task.cancel()
        await db.stop(engine)

    return Litestar(
        route_handlers=[
            home,
            healthz,
            manifest,
            service_worker,
            AccountsController,
            DeskController,
            OfficeController,
            MeController,
            AdminController,
            DevicesController,
            EnrollController,
            SyncController,
            OutboxImportController,
            IncidentsController,
            EmergencyController,
            create_static_files_router(
                path="/static", directories=[WEB_DIR / "static"], opt={"exclude_from_auth": True}
            ),
        ],
        on_app_init=[session_auth.on_app_init],
        before_request=_emergency_state,
        on_startup=[connect],
        on_shutdown=[disconnect],
        stores={SESSION_STORE: DatabaseStore()},
        csrf_config=CSRFConfig(
            secret=settings.secret,
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="lax",
        ),
        template_config=template_config(),
        request_class=HTMXRequest,
        exception_handlers={
            NotAuthorizedException: errors.not_logged_in,
            HTTPException: errors.http_error,
        },
    )
