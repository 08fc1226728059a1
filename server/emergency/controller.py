"""/emergency: leaders switch emergency response on and off, each time with a reason;
everyone who may see the dashboard sees the log."""

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
# By whether the form switched it off.
REASON_NEEDED = {
    False: N_("Give the reason for the response."),
    True: N_("Give the reason for switching emergency response off."),
}


class EmergencyController(Controller):
    path = "/emergency"

    async def _page(self, request: Request, status_code: int = 200, error=None, reason="", **ctx):
        return render(
            request,
            "emergency/page.html",
            status_code,
            log=await service.history(),
            names=await people_names(),
            error=error,
            reason=reason,
            **ctx,
        )

    @get("/", guards=[OFFICE])
    async def page(self, request: Request) -> object:
        return await self._page(request)

    @post("/", guards=[LEADER], status_code=200)
    async def flip(self, request: Request) -> object:
        form = await request.form()
        choice, reason = form.get("active"), str(form.get("reason", "")).strip()
        if choice not in ("on", "off") or not reason:
            error = translate(request_locale(request), REASON_NEEDED[choice == "off"])
            return await self._page(request, 422, error, reason)
        try:
            await service.switch(choice == "on", reason, request.user.actor)
        except service.AlreadySwitched as already:
            # Another leader switched it the same way since this leader's page was loaded.
            # The banner and the form show the state the switch found, not the one the
            # request began with (both taps at once): the form offers the other way, so the
            # typed reason is shown beside it, not put in a field it was not written for.
            latest = already.latest
            request.scope["state"]["emergency"] = latest if latest and latest["active"] else None
            return await self._page(request, 409, asked=choice, already=latest, typed=reason)
        # A fresh GET: the page's banner and button read the state as the request began.
        return Redirect("/emergency/", status_code=303)
