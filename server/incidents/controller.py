"""/office/incidents: the board (overdue ones red), each case's timeline and its next step,
a case raised by hand, and the one-page printable report."""

from __future__ import annotations

import datetime as dt
import uuid

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from server import clock
from server.accounts.guards import OFFICE
from server.accounts.service import people_names
from server.i18n import N_, request_locale, translate
from server.incidents import contacts, escalation, service
from server.incidents.tables import StepKind
from server.org.service import roster_by_department
from server.web import render
from sync.ids import new_entry_id

STEP_CHOICES = [k for k in StepKind if k != StepKind.detected]
# Every field any step may ask for, once each, in the timeline's order.
FORM_FIELDS = list(dict.fromkeys(f for fields in service.STEP_FIELDS.values() for f in fields))


def _when(text: str) -> dt.datetime | None:
    """A local date-time from the form, or None for 'now' when left empty; one that cannot be
    read is refused, not taken for 'now'."""
    if not text.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise service.StepRefused(N_("%(fields)s: not a date and time."), fields=("at",)) from None
    return moment.replace(tzinfo=clock.hall_zone()) if moment.tzinfo is None else moment


async def detail_page(
    request, incident_id, template, status_code=200, error=None, typed=None, **extra
):
    """The incident's page (or its print), with its timeline and its close contacts; `typed`,
    the step form as it was sent, when it was refused."""
    found = await service.incident_with_steps(incident_id)
    if found is None:
        raise NotFoundException()
    incident, steps = found
    listed = await contacts.contacts_of(incident_id, clock.today())
    flagged = escalation.flagged(listed, await escalation.raised_by(listed))
    return render(
        request,
        template,
        status_code,
        incident=incident,
        steps=sorted([*steps, *flagged], key=lambda s: s["at"]),
        overdue=service.is_overdue(incident, steps, clock.now()),
        origin=await escalation.origin(incident),
        step_choices=STEP_CHOICES,
        step_fields=FORM_FIELDS,
        error=error,
        typed=typed or {},
        contacts=listed,
        suggestions=await contacts.suggestions(incident) if "print" not in template else [],
        roster=await roster_by_department() if "print" not in template else [],
        new_id=new_entry_id,
        names=await people_names(),  # who recorded each step and follow-up, as a person
        **extra,
    )


class IncidentsController(Controller):
    path = "/office/incidents"
    guards = [OFFICE]

    @get("/")
    async def board(self, request: Request) -> object:
        return render(
            request,
            "incidents/board.html",
            incidents=await service.incidents_board(clock.now()),
            typed={},
        )

    @post("/", status_code=200)
    async def raise_by_hand(self, request: Request) -> object:
        form = await request.form()
        subject = str(form.get("subject", "")).strip()[:60]
        if not subject:
            return render(
                request,
                "incidents/board.html",
                422,
                incidents=await service.incidents_board(clock.now()),
                error=translate(request_locale(request), N_("Name the person.")),
                typed=dict(form),
            )
        incident_id = await service.raise_incident(
            "manual",
            form.get("entry_id") or None,
            subject,
            str(form.get("place", "")).strip()[:100],
            str(form.get("summary", "")).strip()[:200],
            clock.now(),
            request.user.actor,
        )
        return Redirect(f"/office/incidents/{incident_id}", status_code=303)

    @get("/{incident_id:uuid}")
    async def detail(self, request: Request, incident_id: FromPath[uuid.UUID]) -> object:
        return await detail_page(request, incident_id, "incidents/detail.html")

    @get("/{incident_id:uuid}/print")
    async def printable(self, request: Request, incident_id: FromPath[uuid.UUID]) -> object:
        return await detail_page(request, incident_id, "incidents/print.html")

    @post("/{incident_id:uuid}/steps")
    async def add_step(self, request: Request, incident_id: FromPath[uuid.UUID]) -> object:
        form = await request.form()
        try:
            kind = StepKind(form.get("kind", ""))
            at = _when(str(form.get("at", "")))
            await service.add_step(incident_id, kind, dict(form), at, request.user.actor)
        except ValueError as bad:
            refused = (
                bad
                if isinstance(bad, service.StepRefused)
                else service.StepRefused(N_("Choose a step."))
            )
            error = refused.text(request_locale(request))
            return await detail_page(
                request, incident_id, "incidents/detail.html", 422, error, typed=dict(form)
            )
        except LookupError:
            raise NotFoundException() from None
        return Redirect(f"/office/incidents/{incident_id}", status_code=303)
