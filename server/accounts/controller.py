"""Login, logout and the language switch."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect

from server.accounts import service
from server.accounts.sessions import open_session
from server.audit import service as audit
from server.i18n import LOCALES, N_, request_locale, translate
from server.web import render

SESSION_STORE = "sessions"


def safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (//evil, https://…) goes home."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


class AccountsController(Controller):
    @get("/login")
    async def login_page(self, request: Request, next: FromQuery[str] = "/") -> object:
        if await service.session_user(request.session):
            return Redirect(safe_next(next))
        return render(request, "accounts/login.html", next=safe_next(next), error=None)

    @post("/login")
    async def login(self, request: Request) -> object:
        form = await request.form()
        username = str(form.get("username", "")).strip()
        target = safe_next(form.get("next"))
        store = request.app.stores.get(SESSION_STORE)
        address = request.client.host if request.client else "unknown"
        try:
            user = await service.authenticate(
                store, username, str(form.get("password", "")), address
            )
        except service.Throttled:
            message = N_("Too many failed attempts. Wait 15 minutes, then try again.")
            return self._refused(request, message, target, 429)
        if user is None:
            return self._refused(request, N_("Wrong username or password"), target, 400)
        open_session(request, user)
        await audit.record(user.actor, "login", "user_account", user.id)
        return Redirect(target, status_code=303)

    def _refused(self, request: Request, message: str, target: str, status_code: int):
        error = translate(request_locale(request), message)
        return render(request, "accounts/login.html", status_code, next=target, error=error)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        if user := request.scope.get("user"):
            await audit.record(user.actor, "logout", "user_account", user.id)
        request.clear_session()
        # The browser drops its HTTP cache of this person's pages. Not "storage": that would
        # also wipe the desk phone's enrolment and offline shell (the page's script has
        # already dropped the synced entries the next person may not see).
        return Redirect("/login", status_code=303, headers={"Clear-Site-Data": '"cache"'})

    @post("/language")
    async def language(self, request: Request) -> Redirect:
        form = await request.form()
        locale = form.get("locale")
        back = safe_next(form.get("next"))
        if locale not in LOCALES:
            return Redirect(back, status_code=303)
        if user := await service.session_user(request.session):
            await service.set_locale(user.id, locale)
        response = Redirect(back, status_code=303)
        response.set_cookie("lang", locale, max_age=365 * 86400, httponly=True, samesite="lax")
        return response
