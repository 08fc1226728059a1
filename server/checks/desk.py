"""The entrance desk (物业): visitor and staff checks, SPEC rule 3, today's entries.

Each form is a widget that htmx swaps in place; with JavaScript off the same POST answers the
whole page, so the desk never depends on scripts loading."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from server import clock
from server.accounts.guards import DESK
from server.checks import service
from server.checks.rules import SYMPTOMS, Invalid
from server.checks.tables import CheckStatus
from server.i18n import request_locale, translate
from server.org.service import roster_by_department, windows
from server.policy.service import load_policy
from server.web import is_htmx, render
from sync.ids import new_entry_id, parse_entry_id


def _errors(request: Request, bad: Invalid) -> dict[str, str]:
    locale = request_locale(request)
    return {p.field: translate(locale, p.message, p.params) for p in bad.problems}


def _form_panel(notice: dict | None = None) -> dict:
    return {
        "state": "form",
        "entry_id": new_entry_id(),
        "values": {},
        "errors": {},
        "notice": notice,
    }


def _after_write(check: dict) -> dict:
    """The panel that follows a stored reading: re-measure, hold, or a fresh form."""
    if check["status"] == CheckStatus.remeasure:
        return {"state": "remeasure", "check": check, "errors": {}}
    if check["status"] == CheckStatus.held:
        return {"state": "held", "check": check}
    return _form_panel(notice=check)


async def _form_values(request: Request) -> dict:
    form = await request.form()
    values = {k: form.get(k, "") for k in form}
    values["symptoms"] = form.getall("symptoms") if "symptoms" in form else []
    return values


class DeskController(Controller):
    path = "/desk"
    guards = [DESK]

    async def _respond(self, request: Request, kind: str, panel: dict, status_code: int = 200):
        user = request.user
        context = {
            "symptom_codes": SYMPTOMS,
            "policy": await load_policy(),
            "entries": await service.desk_today(user.id, clock.today()),
            "roster": await roster_by_department(),
            "windows": await windows(),
        }
        if is_htmx(request):
            return render(
                request,
                f"desk/_{kind}_panel.html",
                status_code,
                panel=panel,
                oob_today=True,
                **context,
            )
        panels = {"visitor": _form_panel(), "staff": _form_panel(), kind: panel}
        return render(request, "desk/page.html", status_code, panels=panels, **context)

    @get("/")
    async def page(self, request: Request) -> object:
        return await self._respond(request, "visitor", _form_panel())

    @post("/visitors")
    async def add_visitor(self, request: Request) -> object:
        values = await _form_values(request)
        entry_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            recorded = await service.record_visitor_check(
                entry_id, values, request.user.actor, await load_policy()
            )
        except Invalid as bad:
            panel = {
                "state": "form",
                "entry_id": entry_id,
                "values": values,
                "errors": _errors(request, bad),
            }
            return await self._respond(request, "visitor", panel, 422)
        return await self._respond(request, "visitor", _after_write(recorded.check))

    @post("/visitors/{check_id:uuid}/remeasure")
    async def remeasure_visitor(self, request: Request, check_id: FromPath[uuid.UUID]) -> object:
        return await self._remeasure(
            request, "visitor", check_id, service.remeasure_visitor, service.visitor_check
        )

    @post("/visitors/{check_id:uuid}/leave")
    async def visitor_left(self, request: Request, check_id: FromPath[uuid.UUID]) -> object:
        try:
            await service.record_time_out(check_id, request.user.actor)
        except LookupError:
            raise NotFoundException() from None
        if is_htmx(request):
            return render(
                request,
                "desk/_today.html",
                entries=await service.desk_today(request.user.id, clock.today()),
            )
        return await self._respond(request, "visitor", _form_panel())

    @post("/staff")
    async def add_staff(self, request: Request) -> object:
        values = await _form_values(request)
        entry_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            recorded = await service.record_staff_check(
                entry_id, values, request.user.actor, await load_policy()
            )
        except Invalid as bad:
            panel = {
                "state": "form",
                "entry_id": entry_id,
                "values": values,
                "errors": _errors(request, bad),
            }
            return await self._respond(request, "staff", panel, 422)
        return await self._respond(request, "staff", _after_write(recorded.check))

    @post("/staff/{check_id:uuid}/remeasure")
    async def remeasure_staff(self, request: Request, check_id: FromPath[uuid.UUID]) -> object:
        return await self._remeasure(
            request, "staff", check_id, service.remeasure_staff, service.staff_check
        )

    async def _remeasure(self, request, kind, check_id, remeasure, load):
        values = await _form_values(request)
        try:
            recorded = await remeasure(
                check_id, values.get("temperature", ""), request.user.actor, await load_policy()
            )
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:
            check = await load(check_id)
            panel = {"state": "remeasure", "check": check, "errors": _errors(request, bad)}
            return await self._respond(request, kind, panel, 422)
        return await self._respond(request, kind, _after_write(recorded.check))
