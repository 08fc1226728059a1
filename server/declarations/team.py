"""/team: a department head's board for today (each person one row: declared, not yet,
missing, stay home, absent), their open sick absences, and declarations the head enters for
staff without a phone (marked as entered by the head)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.params import FromPath

from server import clock
from server.accounts.guards import allow
from server.accounts.tables import Role
from server.checks.rules import SYMPTOMS, Invalid
from server.declarations import absences, boards, service
from server.declarations.access import person_for
from server.declarations.forms import errors, posted
from server.declarations.mine import form_panel
from server.policy.service import load_policy
from server.web import page_or_partial
from sync.ids import new_entry_id, parse_entry_id

HEAD = allow(Role.head)


class TeamController(Controller):
    path = "/team"
    guards = [HEAD]

    @get("/")
    async def board(self, request: Request) -> object:
        department, policy = request.user.department_id, await load_policy()
        rows = []
        if department is not None:  # a head without a department has no team to show
            rows = await boards.board(clock.now(), policy, department)
        return page_or_partial(
            request,
            "declarations/team.html",
            "declarations/_team_board.html",
            rows=rows,
            counts=boards.count_states(rows),
            declarations=boards.count_declarations(rows),
            absences=await absences.open_absences(department) if department else [],
            deadline=policy.declaration_deadline,
        )

    async def _entry_page(self, request, person, panel=None, status_code=200, notice=None):
        policy = await load_policy()
        today = clock.today()
        if panel is None:
            current = await service.declaration_on(person["id"], today)
            yesterday = await service.declaration_on(person["id"], today - dt.timedelta(days=1))
            panel = form_panel(current, yesterday, policy)
        return page_or_partial(
            request,
            "declarations/enter.html",
            "declarations/_enter.html",
            status_code,
            person=person,
            person_name=person["name"],
            panel=panel,
            notice=notice,
            symptom_codes=SYMPTOMS,
            action=f"/team/{person['id']}/declaration",
            target="#enter",
        )

    @get("/{person_id:int}/declaration")
    async def entry_form(self, request: Request, person_id: FromPath[int]) -> object:
        return await self._entry_page(request, await person_for(request.user, person_id))

    @post("/{person_id:int}/declaration")
    async def enter(self, request: Request, person_id: FromPath[int]) -> object:
        """The head enters a declaration for a team member without a phone."""
        person = await person_for(request.user, person_id)
        values = await posted(request)
        submission_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            submitted = await service.submit_declaration(
                person_id,
                values,
                request.user.actor,
                await load_policy(),
                submission_id=submission_id,
                by_head=True,
            )
        except Invalid as bad:
            panel = {
                "entry_id": submission_id,
                "values": values,
                "errors": errors(request, bad),
                "amending": values.get("amending") == "1",
                "quick": False,
            }
            return await self._entry_page(request, person, panel, 422)
        return await self._entry_page(request, person, notice=submitted)
