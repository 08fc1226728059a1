"""Training: the office records sessions and who attended (/office/training) and looks up a
person's record; staff and heads see their own (/training)."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from server.accounts.guards import OFFICE, allow
from server.accounts.tables import Role
from server.checks.rules import Invalid
from server.i18n import field_errors, request_locale
from server.org.service import roster_by_department
from server.training import service
from server.web import render
from sync.ids import new_entry_id, parse_entry_id


def _blank() -> dict:
    return {"entry_id": new_entry_id(), "values": {}, "errors": {}, "attendees": set()}


class OfficeTrainingController(Controller):
    path = "/office/training"
    guards = [OFFICE]

    async def _list(self, request: Request, status_code=200, draft=None) -> object:
        return render(
            request,
            "training/office_list.html",
            status_code,
            sessions=await service.sessions(),
            roster=await roster_by_department(),
            draft=draft or _blank(),
        )

    @get("/")
    async def page(self, request: Request) -> object:
        return await self._list(request)

    @post("/")
    async def create(self, request: Request) -> object:
        form = await request.form()
        values = {k: form.get(k) for k in form}
        chosen = form.getall("attendees") if "attendees" in form else []
        entry_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            recorded = await service.create_session(entry_id, values, chosen, request.user.actor)
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            attendees = {int(p) for p in chosen if str(p).isdigit()}
            draft = {"entry_id": entry_id, "values": values, "errors": errors}
            return await self._list(request, 422, {**draft, "attendees": attendees})
        return Redirect(f"/office/training/{recorded.row['id']}", status_code=303)

    @get("/{session_id:uuid}")
    async def detail(self, request: Request, session_id: FromPath[uuid.UUID]) -> object:
        found = await service.session(session_id)
        if found is None:
            raise NotFoundException()
        return render(
            request,
            "training/office_detail.html",
            session=found,
            attendees=await service.attendees(session_id),
            chosen=await service.attendee_ids(session_id),
            roster=await roster_by_department(),
        )

    @post("/{session_id:uuid}/attendees")
    async def attendees(self, request: Request, session_id: FromPath[uuid.UUID]) -> object:
        form = await request.form()
        chosen = form.getall("attendees") if "attendees" in form else []
        try:
            await service.set_attendees(session_id, chosen, request.user.actor)
        except LookupError:
            raise NotFoundException() from None
        return Redirect(f"/office/training/{session_id}", status_code=303)

    @get("/people/{person_id:int}")
    async def person(self, request: Request, person_id: FromPath[int]) -> object:
        found = await service.person(person_id)
        if found is None:
            raise NotFoundException()
        records = await service.person_records(person_id)
        return render(request, "training/person.html", person=found, records=records)


class MyTrainingController(Controller):
    """A staff member's own training record."""

    path = "/training"
    guards = [allow(Role.staff, Role.head)]

    @get("/")
    async def mine(self, request: Request) -> object:
        records = await service.person_records(request.user.person_id)
        return render(request, "training/mine.html", records=records)
