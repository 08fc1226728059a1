"""/notifications: each account's own in-app notifications, newest first, with the header's
unread badge (loaded by htmx after the page) and marking one or all read."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from server.accounts.guards import EVERYONE
from server.i18n import request_locale
from server.notify import service
from server.web import is_htmx, render


class NotificationsController(Controller):
    path = "/notifications"
    guards = [EVERYONE]

    @get("/")
    async def inbox(self, request: Request) -> object:
        locale = request_locale(request)
        rows = [
            {**row, "words": service.worded(locale, row["params"])}
            for row in await service.for_user(request.user.id)
        ]
        return render(request, "notify/page.html", notifications=rows)

    @get("/badge")
    async def badge(self, request: Request) -> object:
        unread = await service.unread_count(request.user.id)
        return render(request, "notify/_badge.html", unread=unread)

    @post("/read", status_code=303)
    async def read_all(self, request: Request) -> object:
        await service.mark_read(request.user.id)
        if is_htmx(request):
            return render(request, "notify/_badge.html", unread=0)
        return Redirect("/notifications", status_code=303)

    @post("/{notification_id:uuid}/read", status_code=303)
    async def read_one(self, request: Request, notification_id: FromPath[uuid.UUID]) -> object:
        await service.mark_read(request.user.id, notification_id)
        return Redirect("/notifications", status_code=303)
