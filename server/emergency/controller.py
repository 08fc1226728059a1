"""/emergency: leaders switch emergency response on (with a reason) and off; everyone who
may see the dashboard sees the log."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect

from server.accounts.guards import OFFICE, allow
from server.accounts.service import people_names
from server.accounts.tables import Role
from server.emergency import service
from server.i18n import N_, request_locale, translate
from server.web import render

LEADER = allow(Role.leader)


class EmergencyController(Controller):
    path = "/emergency"

    async def _page(self, request: Request, status_code: int = 200, error: str | None = None):
        return render(
            request,
            "emergency/page.html",
            status_code,
            log=await service.history(),
            names=await people_names(),
            error=error,
        )

    @get("/", guards=[OFFICE])
    async def page(self, request: Request) -> object:
        return await self._page(request)

    @post("/", guards=[LEADER], status_code=200)
    async def flip(self, request: Request) -> object:
        form = await request.form()
        choice, reason = form.get("active"), str(form.get("reason", "")).strip()
        if choice not in ("on", "off") or (choice == "on" and not reason):
            error = translate(request_locale(request), N_("Give the reason for the response."))
            return await self._page(request, 422, error)
        active = choice == "on"
        await service.switch(active, reason, request.user.actor)
        # A fresh GET: the page's banner and button read the state as the request began.
        return Redirect("/emergency/", status_code=303)
