"""create_app(): every controller of Hallwatch, listed, and the middleware they rely on."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
from importlib.metadata import version

import asyncpg
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.security.session_auth import SessionAuth
from litestar.static_files import create_static_files_router
from litestar_htmx import HTMXRequest

from server import cache, db, errors
from server.accounts.controller import SESSION_STORE, AccountsController
from server.accounts.guards import ADMIN
from server.accounts.service import session_user
from server.accounts.sessions import RotatingSessionConfig
from server.accounts.store import DatabaseStore
from server.admin.controller import AdminController
from server.checks.desk import DeskController
from server.checks.export_routes import OfficeExportController
from server.checks.office import OfficeController
from server.dashboard.controller import DashboardController
from server.declarations.mine import MyDeclarationController
from server.declarations.office import HealthBoardController
from server.declarations.person_page import PersonHealthController
from server.declarations.team import TeamController
from server.devices.controller import DevicesController, EnrollController
from server.devices.outbox_import import OutboxImportController
from server.devices.sync_routes import SyncController
from server.disinfection.controller import DeskDisinfectionController, DisinfectionController
from server.duty.controller import DutyController
from server.emergency.banner import BannerState
from server.emergency.controller import EmergencyController
from server.health import healthz
from server.home import home
from server.incidents.contact_routes import ContactsController
from server.incidents.controller import IncidentsController
from server.me.controller import MeController
from server.notices.controller import OfficeNoticesController, StaffNoticesController
from server.notices.hall import HallController
from server.notify import runner as notify_runner
from server.notify.controller import NotificationsController
from server.policy.controller import SettingsController
from server.reports.controller import ZeroReportController
from server.reports.district_routes import DistrictReportController
from server.settings import WEB_DIR, Settings
from server.shell import manifest, service_worker
from server.supplies.controller import SuppliesController
from server.training.controller import MyTrainingController, OfficeTrainingController
from server.visitors.controller import PreregOfficeController, VisitController
from server.web import template_config

PUBLIC_PATHS = [
    "^/login$",
    "^/language$",
    "^/static/",
    "^/healthz$",
    "^/sw.js$",
    "^/manifest",
    "^/hall/?$",  # the hall's screen: public notices and a visitor count, nothing personal
    "^/visit/?$",  # a visitor's own pre-registration: rate-limited, CSRF-protected
]


async def _session_user(session: dict, _connection) -> object:
    return await session_user(session)


# Scripts, styles and everything else come from this site's own files only: no inline code,
# no eval (htmx runs with allowEval off), so injected markup cannot run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=()",
}


def _reads_on_one_connection(app):
    """Each request's reads share one database connection (SQLite; see db.request_reads) and
    one reading of the cache's stamps (server/cache), those of the session and the user
    included: so this runs outside every other middleware."""

    async def middleware(scope, receive, send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        with cache.per_request():
            async with db.request_reads():
                await app(scope, receive, send)

    return middleware


def _outermost_middleware(app_config):
    app_config.middleware.insert(0, _reads_on_one_connection)
    return app_config


async def _security_headers(response) -> object:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _openapi_config() -> OpenAPIConfig:
    """The API's description at /schema (and /schema/openapi.json), for the admin only: it
    names every route and parameter. JSON alone: Litestar's documentation pages (Swagger,
    ReDoc, …) load their scripts from a CDN, which the desk's offline phones cannot reach
    and the content security policy refuses. A new router per app: Litestar registers the
    schema's handlers on it."""
    return OpenAPIConfig(
        title="Hallwatch",
        version=version("hallwatch"),
        render_plugins=[JsonRenderPlugin()],
        openapi_router=Router(
            "/schema", route_handlers=[], guards=[ADMIN], include_in_schema=False
        ),
    )


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
        background.extend(notify_runner.start())
        # What is loaded by now lives as long as the process: keep it out of the cyclic
        # collector's full passes, which otherwise walk it again and again while a large
        # push allocates (a 1,000-entry push took a third longer). Garbage is collected
        # first, or it would be kept for good.
        gc.collect()
        gc.freeze()

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
            OfficeExportController,
            DashboardController,
            MeController,
            MyDeclarationController,
            TeamController,
            HealthBoardController,
            PersonHealthController,
            AdminController,
            SettingsController,
            DevicesController,
            EnrollController,
            SyncController,
            OutboxImportController,
            IncidentsController,
            ContactsController,
            SuppliesController,
            OfficeNoticesController,
            StaffNoticesController,
            HallController,
            OfficeTrainingController,
            MyTrainingController,
            EmergencyController,
            NotificationsController,
            ZeroReportController,
            DistrictReportController,
            DutyController,
            DisinfectionController,
            DeskDisinfectionController,
            VisitController,
            PreregOfficeController,
            create_static_files_router(
                path="/static", directories=[WEB_DIR / "static"], opt={"exclude_from_auth": True}
            ),
        ],
        on_app_init=[session_auth.on_app_init, _outermost_middleware],
        middleware=[BannerState()],
        after_request=_security_headers,
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
        openapi_config=_openapi_config(),
        request_class=HTMXRequest,
        exception_handlers={
            NotAuthorizedException: errors.not_logged_in,
            HTTPException: errors.http_error,
            # Database drivers' errors (sqlite3, asyncpg) and lost connections: a 503 when
            # the database cannot write, so nothing is taken as stored that was not.
            sqlite3.Error: errors.storage_unavailable,
            asyncpg.PostgresError: errors.storage_unavailable,
            asyncpg.InterfaceError: errors.storage_unavailable,  # e.g. a closed connection
            # …but a value the column cannot hold is the request's fault: a 400.
            OverflowError: errors.input_out_of_range,
            asyncpg.DataError: errors.input_out_of_range,  # PostgreSQL's class 22
            asyncpg.exceptions._base.DataError: errors.input_out_of_range,  # refused by asyncpg
            OSError: errors.storage_unavailable,
            # Anything else still answers the generic 500, but logged with its traceback.
            Exception: errors.storage_unavailable,
        },
    )
