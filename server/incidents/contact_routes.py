"""/office/incidents/<id>/contacts: the office confirms suggested close contacts or adds one
by hand, changes their measure or releases them, records their daily follow-ups, and shows a
contact's full mobile to call them (each look audited). Every form answers the incident
page: redirected on success, re-rendered with the error (422) otherwise."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from server import clock
from server.accounts.guards import FULL_NUMBERS, OFFICE
from server.audit import service as audit
from server.checks.rules import Invalid
from server.i18n import request_locale, translate
from server.incidents import by_hand, contacts, follow_ups
from server.incidents.controller import detail_page
from server.web import is_htmx, render
from sync.ids import new_entry_id, parse_entry_id


def _back(incident_id: uuid.UUID) -> Redirect:
    return Redirect(f"/office/incidents/{incident_id}#contacts", status_code=303)


async def _refused(request, incident_id, bad: Invalid, follow_up=None, added=None):
    """The incident page with the error; `follow_up`, (contact id, form as typed) of a refused
    follow-up, and `added`, a refused contact added by hand as typed, each shown open with
    what was typed."""
    locale = request_locale(request)
    message = "; ".join(translate(locale, p.message, p.params) for p in bad.problems)
    contact_id, typed = follow_up or (None, {})
    return await detail_page(
        request,
        incident_id,
        "incidents/detail.html",
        422,
        error=message,
        follow_up_of=contact_id,
        follow_up_typed=typed,
        contact_typed=added or {},
    )


class ContactsController(Controller):
    path = "/office/incidents/{incident_id:uuid}/contacts"
    guards = [OFFICE]

    @post("/")
    async def confirm(self, request: Request, incident_id: FromPath[uuid.UUID]) -> object:
        try:
            await contacts.confirm(
                incident_id, dict(await request.form()), request.user.actor, clock.today()
            )
        except Invalid as bad:
            return await _refused(request, incident_id, bad)
        except LookupError:
            raise NotFoundException() from None
        return _back(incident_id)

    @post("/by-hand")
    async def add_by_hand(self, request: Request, incident_id: FromPath[uuid.UUID]) -> object:
        form = dict(await request.form())
        try:
            await by_hand.add(incident_id, form, request.user.actor, clock.today())
        except Invalid as bad:
            return await _refused(request, incident_id, bad, added=form)
        except LookupError:
            raise NotFoundException() from None
        return _back(incident_id)

    async def _own(self, incident_id, contact_id) -> dict:
        found = await contacts.contact(contact_id)
        if found is None or found["incident"] != incident_id:
            raise NotFoundException()
        return found

    @get("/{contact_id:uuid}/phone", guards=[FULL_NUMBERS])
    async def reveal_phone(
        self, request: Request, incident_id: FromPath[uuid.UUID], contact_id: FromPath[uuid.UUID]
    ) -> object:
        found = await self._own(incident_id, contact_id)
        await audit.record(
            request.user.actor, "reveal", "close_contact", contact_id, None, {"fields": ["phone"]}
        )
        if is_htmx(request):
            return render(
                request, "incidents/_contact_phone.html", incident_id=incident_id, contact=found
            )
        return await detail_page(
            request, incident_id, "incidents/detail.html", revealed=found["id"]
        )

    @post("/{contact_id:uuid}")
    async def update(
        self, request: Request, incident_id: FromPath[uuid.UUID], contact_id: FromPath[uuid.UUID]
    ) -> object:
        await self._own(incident_id, contact_id)
        form = dict(await request.form())
        try:
            await follow_ups.update_contact(contact_id, form, request.user.actor, clock.today())
        except Invalid as bad:
            return await _refused(request, incident_id, bad)
        return _back(incident_id)

    @post("/{contact_id:uuid}/follow-ups")
    async def follow_up(
        self, request: Request, incident_id: FromPath[uuid.UUID], contact_id: FromPath[uuid.UUID]
    ) -> object:
        await self._own(incident_id, contact_id)
        form = dict(await request.form())
        entry_id = parse_entry_id(form.get("entry_id", "")) or new_entry_id()
        try:
            await follow_ups.add_follow_up(
                entry_id, contact_id, form, request.user.actor, clock.today()
            )
        except Invalid as bad:
            return await _refused(request, incident_id, bad, (contact_id, form))
        return _back(incident_id)
