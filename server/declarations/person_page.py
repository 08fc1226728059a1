"""/health/people/<id>: one person's health for the office and their department head —
work status and its history, declarations (with amendments and fatigue flags), sick
absences with follow-ups; the head or the office registers an absence, either adds
follow-ups, and only the office clears the person back to work (可返岗)."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect

from server.accounts.guards import allow
from server.accounts.service import people_names
from server.accounts.tables import Role
from server.checks.rules import Invalid
from server.declarations import absences, service, status
from server.declarations.access import may_see, person_for
from server.declarations.forms import errors, posted_text
from server.policy.service import load_policy
from server.web import is_htmx, render
from sync.ids import new_entry_id, parse_entry_id

VIEWERS = allow(Role.office, Role.leader, Role.head)
REGISTRARS = allow(Role.office, Role.head)
CLEARERS = allow(Role.office)  # SPEC rule 4: only the office clears a person back to work
FOLLOWERS = allow(Role.staff, Role.head, Role.office)


def _blank(problems=None, values=None) -> dict:
    return {"entry_id": new_entry_id(), "values": values or {}, "errors": problems or {}}


class PersonHealthController(Controller):
    path = "/health"

    async def _page(self, request, person, status_code=200, **forms):
        person_id = person["id"]
        context = {
            "person": person,
            "work": await status.state_of(person_id),
            "changes": await status.history(person_id),
            "history": await service.recent(person_id),
            "absences": await absences.absences_of(person_id),
            "absence_form": forms.get("absence_form") or _blank(),
            "clear_errors": forms.get("clear_errors") or {},
            "follow_entry_id": new_entry_id(),
            "show_flags": request.user.role in ("office", "leader"),
            "names": await people_names(),  # who changed the status, as a person
        }
        return render(request, "declarations/person.html", status_code, **context)

    @get("/people/{person_id:int}", guards=[VIEWERS])
    async def person(self, request: Request, person_id: FromPath[int]) -> object:
        return await self._page(request, await person_for(request.user, person_id))

    @post("/people/{person_id:int}/absence", guards=[REGISTRARS])
    async def register(self, request: Request, person_id: FromPath[int]) -> object:
        person = await person_for(request.user, person_id)
        values = await posted_text(request)
        entry_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            await absences.register_absence(
                person_id,
                values,
                request.user.actor,
                entry_id=entry_id,
                notify_head=request.user.role != Role.head,
            )
        except Invalid as bad:
            form = {"entry_id": entry_id, "values": values, "errors": errors(request, bad)}
            return await self._page(request, person, 422, absence_form=form)
        return Redirect(f"/health/people/{person_id}", status_code=303)

    @post("/people/{person_id:int}/clear", guards=[CLEARERS])
    async def clear(self, request: Request, person_id: FromPath[int]) -> object:
        """可返岗: the office's note says why the person may return."""
        person = await person_for(request.user, person_id)
        values = await posted_text(request)
        try:
            await status.clear_to_work(person_id, values.get("note", ""), request.user.actor)
        except Invalid as bad:
            return await self._page(request, person, 422, clear_errors=errors(request, bad))
        return Redirect(f"/health/people/{person_id}", status_code=303)

    @post("/absences/{absence_id:uuid}/follow-ups", guards=[FOLLOWERS])
    async def follow_up(self, request: Request, absence_id: FromPath[uuid.UUID]) -> object:
        """A follow-up (追查) by the head, the office or the person themselves."""
        current = await absences.absence(absence_id)
        if current is None:
            raise NotFoundException()
        person = {"id": current["person"], "department": current["department"]}
        if not may_see(request.user, person):
            raise PermissionDeniedException("outside your department")
        values = await posted_text(request)
        entry_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        problems, code = {}, 200
        try:
            await absences.add_follow_up(
                absence_id, values, request.user.actor, await load_policy(), entry_id=entry_id
            )
        except Invalid as bad:
            problems, code = errors(request, bad), 422
        if not is_htmx(request) and not problems:
            back = values.get("next", "")
            safe = back.startswith("/") and not back.startswith("//")
            return Redirect(back if safe else "/", status_code=303)
        absence = next(
            a for a in await absences.absences_of(current["person"]) if a["id"] == absence_id
        )
        return render(
            request,
            "declarations/_absence.html" if is_htmx(request) else "declarations/absence.html",
            code,
            absence=absence,
            follow_errors=problems,
            follow_values=values if problems else {},
            follow_entry_id=entry_id if problems else new_entry_id(),
            names=await people_names(),
        )
