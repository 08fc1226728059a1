"""How refusals look: a login redirect for pages, a translated page or JSON otherwise."""

from __future__ import annotations

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect

from server.i18n import N_, request_locale, translate
from server.web import render

MESSAGES = {
    400: N_("The request was not understood."),
    403: N_("Your role may not open this page."),
    404: N_("There is nothing here."),
    405: N_("This address does not accept that request."),
    413: N_("The request is too large."),
    429: N_("Too many requests. Wait a little, then try again."),
    500: N_("Something went wrong on the server. Nothing you entered was lost; try again."),
}
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
