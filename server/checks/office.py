"""The office's review of the checks (领导小组办公室): filters, paging, masked numbers revealed
on request (audited), and each record's audit history."""

from __future__ import annotations

import datetime as dt
import uuid

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from server import clock
from server.accounts.guards import OFFICE
from server.audit import service as audit
from server.checks import queries, service
from server.org.service import windows
from server.web import is_htmx, render

TABS = ("visitors", "staff")


def _filter(day: str, abnormal: str, window: str, q: str) -> queries.CheckFilter:
    try:
        chosen = dt.date.fromisoformat(day) if day else clock.today()
    except ValueError:
        chosen = clock.today()
    return queries.CheckFilter(
        day=chosen,
        abnormal_only=abnormal in ("1", "on", "true"),
        window_id=int(window) if window.isdigit() else None,
        text=q.strip()[:50],
    )


class OfficeController(Controller):
    path = "/office"
    guards = [OFFICE]

    @get("/")
    async def checks(
        self,
        request: Request,
        tab: FromQuery[str] = "visitors",
        day: FromQuery[str] = "",
        abnormal: FromQuery[str] = "",
        window: FromQuery[str] = "",
        q: FromQuery[str] = "",
        before: FromQuery[str] = "",
    ) -> object:
        tab = tab if tab in TABS else "visitors"
        filt = _filter(day, abnormal, window, q)
        lister = queries.visitor_checks if tab == "visitors" else queries.staff_checks
        rows, next_cursor = await lister(filt, before or None)
        context = {"tab": tab, "filter": filt, "rows": rows, "next_cursor": next_cursor}
        if is_htmx(request):
            partial = "office/_rows.html" if before else "office/_results.html"
            return render(request, partial, **context)
        return render(request, "office/page.html", windows=await windows(), **context)

    @get("/visitors/{check_id:uuid}")
    async def visitor(self, request: Request, check_id: FromPath[uuid.UUID]) -> object:
        check = await service.visitor_check(check_id)
        if check is None:
            raise NotFoundException()
        return render(
            request,
            "office/visitor.html",
            check=check,
            revealed=False,
            history=await audit.history("visitor_check", check_id),
        )

    @get("/visitors/{check_id:uuid}/reveal")
    async def reveal_visitor(self, request: Request, check_id: FromPath[uuid.UUID]) -> object:
        """The full phone and ID numbers, for office and leaders only; every look is audited."""
        check = await service.visitor_check(check_id)
        if check is None:
            raise NotFoundException()
        await audit.record(
            request.user.actor,
            "reveal",
            "visitor_check",
            check_id,
            None,
            {"fields": ["phone", "id_number"]},
        )
        if is_htmx(request):
            return render(request, "office/_numbers.html", check=check, revealed=True)
        return render(
            request,
            "office/visitor.html",
            check=check,
            revealed=True,
            history=await audit.history("visitor_check", check_id),
        )

    @get("/staff/{check_id:uuid}")
    async def staff(self, request: Request, check_id: FromPath[uuid.UUID]) -> object:
        check = await service.staff_check(check_id)
        if check is None:
            raise NotFoundException()
        return render(
            request,
            "office/staff.html",
            check=check,
            history=await audit.history("staff_check", check_id),
        )
