"""How refusals look: a login redirect for pages, a translated page or JSON otherwise."""

from __future__ import annotations

import logging

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect

from server.i18n import N_, request_locale, translate
from server.web import render

log = logging.getLogger(__name__)

MESSAGES = {
    400: N_("The request was not understood."),
    403: N_("Your role may not open this page."),
    404: N_("There is nothing here."),
    405: N_("This address does not accept that request."),
    413: N_("The request is too large."),
    429: N_("Too many requests. Wait a little, then try again."),
    500: N_("Something went wrong on the server. Nothing you entered was lost; try again."),
}
STORAGE_MESSAGE = N_(
    "The database cannot store anything right now (disk full, read-only or unreachable). "
    "Nothing already saved is lost; the desk phone keeps its entries and sends them later."
)
# What SQLite and PostgreSQL say when they cannot write at all, as opposed to a bad query.
STORAGE_FAILURES = (
    "database or disk is full",
    "disk i/o error",
    "attempt to write a readonly database",
    "unable to open database file",
    "read-only transaction",
    "could not extend file",
    "no space left on device",
    "connection refused",
    "the database system is",  # … starting up / shutting down / in recovery mode
)
# PostgreSQL went away under an open connection (a restart, a crash, a terminated backend)
# or is not accepting connections yet: a later try finds it back, so the phones should retry.
POSTGRES_GONE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
)
CSRF_MESSAGE = N_("The form has expired. Reload the page and submit it again.")


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") or bool(
        request.headers.get("hx-request")
    )


def not_logged_in(request: Request, exc: NotAuthorizedException) -> Response:
    if request.headers.get("hx-request"):
        return Response("", status_code=401, headers={"HX-Redirect": "/login"})
    if _wants_html(request):
        return Redirect(f"/login?next={request.url.path}")
    return Response({"detail": "login required"}, status_code=401)


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    message = MESSAGES.get(status, MESSAGES[400])
    if status == 403 and "CSRF" in str(exc.detail):
        message = CSRF_MESSAGE
    if not _wants_html(request):
        return Response({"detail": message}, status_code=status)
    text = translate(request_locale(request), message)
    return render(request, "errors/page.html", status, message=text, status=status)


def input_out_of_range(request: Request, exc: Exception) -> Response:
    """An id or number too large for the database's column (SQLite's 64-bit or PostgreSQL's
    32-bit integers), or text PostgreSQL cannot read as the column's type: the request was
    wrong, the database is fine. A 400, not a 500 or a 503 that would make a phone retry."""
    return http_error(request, HTTPException(status_code=400))


def is_storage_failure(exc: BaseException) -> bool:
    text = str(exc).lower()
    if isinstance(exc, asyncpg.InterfaceError):
        # asyncpg's own errors are bugs, except these two: the connection died under the
        # request (asyncpg then also detaches it from the pool).
        return "connection is closed" in text or "released back to the pool" in text
    if isinstance(exc, asyncpg.InternalClientError):
        # State 2 is asyncpg consuming an error the server sent outside any query: the FATAL
        # it sends as it terminates the backend, met by the next query (MagicStack/asyncpg#784).
        return "another operation (2) is in progress" in text
    return isinstance(exc, (OSError, *POSTGRES_GONE)) or any(
        sign in text for sign in STORAGE_FAILURES
    )


def storage_unavailable(request: Request, exc: Exception) -> Response:
    """503 with Retry-After when the database cannot write, so phones queue and retry;
    anything else is the generic 500."""
    status = 503 if is_storage_failure(exc) else 500
    if status == 503:
        log.warning("%s %s: database unavailable: %r", request.method, request.url.path, exc)
    else:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    message = STORAGE_MESSAGE if status == 503 else MESSAGES[500]
    headers = {"Retry-After": "30"} if status == 503 else {}
    if not _wants_html(request):
        return Response({"detail": message}, status_code=status, headers=headers)
    text = translate(request_locale(request), message)
    page = render(request, "errors/page.html", status, message=text, status=status)
    page.headers.update(headers)
    return page
