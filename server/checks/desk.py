"""The entrance desk (物业): visitor and staff checks, SPEC rule 3, today's entries.

Each form is a widget that htmx swaps in place; with JavaScript off the same POST answers the
whole page, so the desk never depends on scripts loading.

GET /desk is the app shell the service worker keeps for a start with no network, so it carries
no personal data: no entries (the roster may stay: the phone holds it offline by design). The
phone's script lists today's entries from its own store; without JavaScript, /desk/today does."""

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
from server.disinfection.service import active_points
from server.i18n import request_locale, translate
from server.org.service import roster_by_department, windows
from server.policy.service import load_policy
from server.privacy import masked_row
from server.web import is_htmx, page_or_partial, render
from sync.ids import new_entry_id, parse_entry_id


def _errors(request: Request, bad: Invalid) -> dict[str, str]:
    locale = request_locale(request)
    return {p.field: translate(locale, p.message, p.params) for p in bad.problems}


def _form_panel(notice: dict | None = None, values: dict | None = None) -> dict:
    return {
        "state": "form",
        "entry_id": new_entry_id(),
        "values": values or {},
        "errors": {},
        "notice": notice,
    }


def _batch(values: dict) -> dict:
    """Batch mode (one operator measuring a queue of staff): the next form keeps the
    direction and the mode itself."""
    if not values.get("batch"):
        return {}
    return {"batch": "on", "direction": values.get("direction", "arrival")}


def _after_write(check: dict, keep: dict | None = None) -> dict:
    """The panel that follows a stored reading: re-measure, hold, or a fresh form."""
    if check["status"] == CheckStatus.remeasure:
        return {"state": "remeasure", "check": check, "errors": {}, "values": keep or {}}
    if check["status"] == CheckStatus.held:
        return {"state": "held", "check": check}
    return _form_panel(notice=check, values=keep)


def _listed(entry: dict) -> dict:
    """A row of today's list, with the record as the phone stores it (masked, JSON) so its
    script keeps the entries shown by a form's answer for when it is offline."""
    at, kind = entry["at"], entry["kind"]
    common = {k: entry[k] for k in ("id", "temperature", "remeasure_temperature", "status")}
    if kind == "visitor":
        row = {**common, "name": entry["name"], "phone": entry["phone"], "time_in": at}
        row["time_out"] = entry["time_out"]
        return {**entry, "stored": {"entity": "visitor_check", "row": masked_row(row)}}
    row = {**common, "person_name": entry["name"], "direction": entry["direction"], "taken_at": at}
    return {**entry, "stored": {"entity": "staff_check", "row": masked_row(row)}}


async def _today(request: Request) -> list[dict]:
    return [_listed(e) for e in await service.desk_today(request.user.id, clock.today())]


async def _form_values(request: Request) -> dict:
    form = await request.form()
    values = {k: form.get(k, "") for k in form}
    values["symptoms"] = form.getall("symptoms") if "symptoms" in form else []
    return values


class DeskController(Controller):
    path = "/desk"
    guards = [DESK]

    async def _respond(
        self, request: Request, kind: str, panel: dict, status_code: int = 200, shell=False
    ):
        context = {
            "symptom_codes": SYMPTOMS,
            "policy": await load_policy(),
            "entries": None if shell else await _today(request),
            "roster": await roster_by_department(),
            "windows": await windows(),
            "disinfection_points": await active_points(),
            "disinfection_entry_id": new_entry_id(),  # the form without JavaScript
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

    async def _record(self, request: Request, kind: str, record) -> object:
        values = await _form_values(request)
        entry_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            recorded = await record(entry_id, values, request.user.actor, await load_policy())
        except Invalid as bad:
            panel = {
                "state": "form",
                "entry_id": entry_id,
                "values": values,
                "errors": _errors(request, bad),
            }
            return await self._respond(request, kind, panel, 422)
        return await self._respond(request, kind, _after_write(recorded.check, _batch(values)))

    @get("/")
    async def page(self, request: Request) -> object:
        return await self._respond(request, "visitor", _form_panel(), shell=True)

    @get("/today")
    async def today(self, request: Request) -> object:
        """Today's entries of this desk: the list for a browser without JavaScript (and a
        fragment for htmx). Never kept by the service worker."""
        return page_or_partial(
            request, "desk/today.html", "desk/_today.html", entries=await _today(request)
        )

    @post("/visitors")
    async def add_visitor(self, request: Request) -> object:
        return await self._record(request, "visitor", service.record_visitor_check)

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
            return render(request, "desk/_today.html", entries=await _today(request))
        return await self._respond(request, "visitor", _form_panel())

    @post("/staff")
    async def add_staff(self, request: Request) -> object:
        return await self._record(request, "staff", service.record_staff_check)

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
            # The reading is checked before the record is looked up: an unknown id with a
            # bad reading is still "not found", not a form about a record that isn't there.
            check = await load(check_id)
            if check is None:
                raise NotFoundException() from None
            panel = {
                "state": "remeasure",
                "check": check,
                "errors": _errors(request, bad),
                "values": _batch(values),
            }
            return await self._respond(request, kind, panel, 422)
        return await self._respond(request, kind, _after_write(recorded.check, _batch(values)))
