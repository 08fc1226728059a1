"""/health: the office's bureau-wide board of staff health today (filters, counts per
department beside the zero report's counts) and the open sick absences, oldest first."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromQuery

from server import clock
from server.accounts.guards import OFFICE
from server.declarations import absences, boards
from server.declarations.rules import BOARD_STATES
from server.org.service import departments
from server.policy.service import load_policy
from server.web import page_or_partial


def _filter(department: str, state: str, flagged: str, q: str) -> boards.BoardFilter:
    return boards.BoardFilter(
        department=int(department) if department.isdigit() else None,
        state=state if state in BOARD_STATES else "",
        flagged=flagged in ("1", "on", "true"),
        text=q.strip()[:50],
    )


class HealthBoardController(Controller):
    path = "/health"
    guards = [OFFICE]

    @get("/")
    async def board(
        self,
        request: Request,
        department: FromQuery[str] = "",
        show: FromQuery[str] = "",  # a chip's state ("state" is Litestar's own parameter)
        flagged: FromQuery[str] = "",
        q: FromQuery[str] = "",
    ) -> object:
        filt = _filter(department, show, flagged, q)
        policy, now = await load_policy(), clock.now()
        # Counts cover the department and name filters; the rows also the state and flags.
        rows = await boards.board(now, policy, filt.department, filt.text)
        return page_or_partial(
            request,
            "declarations/board.html",
            "declarations/_board.html",
            filter=filt,
            rows=boards.filtered(rows, filt),
            counts=boards.count_states(rows),
            declarations=boards.count_declarations(rows),
            per_department=await boards.per_department(rows, clock.local(now).date()),
            departments=await departments(),
            deadline=policy.declaration_deadline,
        )

    @get("/absences")
    async def absence_list(self, request: Request) -> object:
        return page_or_partial(
            request,
            "declarations/absences.html",
            "declarations/_absences.html",
            absences=await absences.open_absences(),
        )
