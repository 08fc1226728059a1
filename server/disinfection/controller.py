"""Disinfection for the office (/office/disinfection: points, today's board with the overdue
points in red, the printable record sheet) and the desk's form without JavaScript
(POST /desk/disinfection; with JavaScript the round goes to the phone's outbox instead)."""

from __future__ import annotations

import datetime as dt
import uuid

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from server import clock
from server.accounts.guards import DESK, OFFICE
from server.checks.rules import Invalid
from server.disinfection import service
from server.i18n import field_errors, request_locale
from server.policy.service import load_policy
from server.web import render
from sync.ids import new_entry_id, parse_entry_id


def _blank() -> dict:
    return {"entry_id": new_entry_id(), "values": {}, "errors": {}}


class DisinfectionController(Controller):
    path = "/office/disinfection"
    guards = [OFFICE]

    async def _page(self, request: Request, status_code=200, new_point=None, edit=None):
        policy = await load_policy()
        return render(
            request,
            "disinfection/page.html",
            status_code,
            board=await service.board(clock.now(), policy),
            points=await service.all_points(),
            policy=policy,
            new_point=new_point or _blank(),
            edit=edit or {},
        )

    @get("/")
    async def page(self, request: Request) -> object:
        return await self._page(request)

    @post("/")
    async def add_point(self, request: Request) -> object:
        form = dict(await request.form())
        entry_id = parse_entry_id(form.get("entry_id", "")) or new_entry_id()
        try:
            await service.save_point(entry_id, form, request.user.actor)
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            panel = {"entry_id": entry_id, "values": form, "errors": errors}
            return await self._page(request, 422, new_point=panel)
        return Redirect("/office/disinfection/", status_code=303)

    @post("/{point_id:uuid}/edit")
    async def edit_point(self, request: Request, point_id: FromPath[uuid.UUID]) -> object:
        if await service.point(point_id) is None:
            raise NotFoundException()
        form = dict(await request.form())
        try:
            await service.save_point(point_id, form, request.user.actor)
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            # The form again as typed, the box "in use" too (an unticked box sends nothing).
            typed = {**form, "active": form.get("active") == "1"}
            edit = {"id": point_id, "values": typed, "errors": errors}
            return await self._page(request, 422, edit=edit)
        return Redirect("/office/disinfection/", status_code=303)

    @get("/sheet")
    async def sheet(self, request: Request, day: FromQuery[str] = "") -> object:
        """The day's disinfection record sheet (消毒记录表), for print and signature."""
        try:
            chosen = dt.date.fromisoformat(day) if day else clock.today()
        except ValueError:
            chosen = clock.today()
        policy = await load_policy()
        start, end = clock.day_bounds(chosen)
        # The day's standing as of now, or as of its last moment once it is over.
        moment = min(max(clock.now(), start), end - dt.timedelta(seconds=1))
        return render(
            request,
            "disinfection/sheet.html",
            day=chosen,
            rounds=await service.rounds_on(chosen),
            board=await service.board(moment, policy),
            policy=policy,
        )


class DeskDisinfectionController(Controller):
    path = "/desk/disinfection"
    guards = [DESK]

    @post("/")
    async def log_round(self, request: Request) -> object:
        form = dict(await request.form())
        entry_id = parse_entry_id(form.get("entry_id", "")) or new_entry_id()
        try:
            await service.record_round(entry_id, form, request.user.actor)
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            return render(
                request,
                "disinfection/desk_refused.html",
                422,
                errors=errors,
                points=await service.active_points(),
            )
        return Redirect("/desk#disinfection", status_code=303)
