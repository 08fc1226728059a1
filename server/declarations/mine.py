"""/me/declaration: a staff member's own daily health declaration (健康申报), their work status
with what to do, the reminder before the deadline, their history and their sick absence.

The form is a widget htmx swaps in place; with JavaScript off the same POST answers the whole
page. Every form carries its submission's id, so a resubmission stores nothing twice."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException

from server import clock
from server.accounts.guards import allow
from server.accounts.service import people_names
from server.accounts.tables import Role
from server.checks.rules import SYMPTOMS, Invalid
from server.declarations import absences, service, status
from server.declarations.forms import errors, posted, posted_text, shown
from server.declarations.phone import phone_row
from server.declarations.rules import declaration_due, quick_path, stored_answers
from server.policy.service import Policy, load_policy
from server.web import is_htmx, render
from sync.ids import new_entry_id, parse_entry_id

# Everyone on the roster declares, whatever their account's role.
DECLARERS = allow(Role.staff, Role.head, Role.office, Role.leader)


async def my_day(person_id: int, now: dt.datetime, policy: Policy) -> dict:
    """Today as the person sees it: the declaration, whether it is due, the work status and
    the latest status change (the office's clearance note, the risks that sent them home)."""
    today = clock.local(now).date()
    declaration = await service.declaration_on(person_id, today)
    changes = await status.history(person_id)
    return {
        "declaration": declaration,
        "due": declaration_due(now, declaration is not None, policy),
        "deadline": policy.declaration_deadline,
        "work": await status.state_of(person_id),
        "last_change": changes[0] if changes else None,
        "changes": changes,
    }


def form_panel(
    declaration: dict | None,
    yesterday: dict | None,
    policy: Policy,
    values: dict | None = None,
    problems: dict | None = None,
) -> dict:
    """The form: today's answers to amend; else yesterday's all-normal answers without the
    temperature (the quick path); else blank. After a refusal, what was typed."""
    quick = None if declaration else quick_path(yesterday, policy)
    if values is None:
        values = shown(stored_answers(declaration)) if declaration else shown(quick)
    return {
        "entry_id": new_entry_id(),
        "values": values,
        "errors": problems or {},
        "amending": declaration is not None,
        "quick": quick is not None,
    }


def _person_id(request: Request) -> int:
    person_id = request.user.person_id
    if person_id is None:  # an account not linked to anyone on the roster
        raise NotFoundException()
    return person_id


class MyDeclarationController(Controller):
    path = "/me/declaration"
    guards = [DECLARERS]

    async def _respond(self, request, panel=None, status_code=200, notice=None, **extra):
        person_id, policy, now = _person_id(request), await load_policy(), clock.now()
        day = await my_day(person_id, now, policy)
        yesterday = await service.declaration_on(
            person_id, clock.local(now).date() - dt.timedelta(days=1)
        )
        if panel is None:
            panel = form_panel(day["declaration"], yesterday, policy)
        context = {
            "policy": policy,
            # For the phone to keep (IndexedDB): today's or yesterday's answers, the status.
            "kept": phone_row(day["declaration"] or yesterday, day["work"]["state"], person_id),
            "day": day,
            "panel": panel,
            "notice": notice,
            "symptom_codes": SYMPTOMS,
            "action": "/me/declaration",
            "history": await service.recent(person_id),
            "changes": day["changes"],
            "absence": await absences.current(person_id),
            "absence_form": {"entry_id": new_entry_id(), "values": {}, "errors": {}},
            "follow_entry_id": new_entry_id(),
            "names": await people_names(),  # who changed their status, as a person
            **extra,
        }
        template = "declarations/_mine.html" if is_htmx(request) else "declarations/mine.html"
        return render(request, template, status_code, **context)

    @get("/")
    async def page(self, request: Request) -> object:
        return await self._respond(request)

    @get("/shell")
    async def shell(self, request: Request) -> object:
        """The form with nobody's answers, history or status: what the service worker keeps
        for a start with no network (declaration.js fills it from the phone's IndexedDB)."""
        _person_id(request)
        policy = await load_policy()
        return render(
            request,
            "declarations/shell.html",
            policy=policy,
            panel=form_panel(None, None, policy),
            symptom_codes=SYMPTOMS,
            action="/me/declaration",
            day={"deadline": policy.declaration_deadline},
        )

    @post("/")
    async def submit(self, request: Request) -> object:
        values = await posted(request)
        submission_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            submitted = await service.submit_declaration(
                _person_id(request),
                values,
                request.user.actor,
                await load_policy(),
                submission_id=submission_id,
            )
        except LookupError:  # the account's person has left the roster
            raise NotFoundException() from None
        except Invalid as bad:
            panel = {
                "entry_id": submission_id,
                "values": values,
                "errors": errors(request, bad),
                "amending": values.get("amending") == "1",
                "quick": False,
            }
            return await self._respond(request, panel, 422)
        return await self._respond(request, notice=submitted.declaration)

    @post("/absence")
    async def report_absence(self, request: Request) -> object:
        """The person registers their own sick absence; the office and their head are told."""
        values = await posted_text(request)
        entry_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            await absences.register_absence(
                _person_id(request), values, request.user.actor, entry_id=entry_id
            )
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:
            form = {"entry_id": entry_id, "values": values, "errors": errors(request, bad)}
            return await self._respond(request, status_code=422, absence_form=form)
        return await self._respond(request)
