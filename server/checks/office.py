"""The office's review of the checks (领导小组办公室): filters, paging, masked numbers revealed
on request (audited), and each record's audit history."""

from __future__ import annotations

import uuid
from dataclasses import replace

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from server.accounts.guards import FULL_NUMBERS, OFFICE, may_see_full_numbers
from server.accounts.service import people_names
from server.audit import service as audit
from server.checks import edits, queries, service
from server.checks.rules import Invalid
from server.i18n import field_errors, request_locale
from server.org.service import windows
from server.policy.service import load_policy
from server.web import is_htmx, render

CORRECTABLE = ("name", "phone", "id_number", "purpose")


def _filter_query(
    tab: FromQuery[str] = "visitors",
    day: FromQuery[str] = "",
    until: FromQuery[str] = "",
    abnormal: FromQuery[str] = "",
    window: FromQuery[str] = "",
    q: FromQuery[str] = "",
) -> queries.FilterQuery:
    return queries.FilterQuery(tab, day, until, abnormal, window, q)


# The list's filter parameters, for the list and its exports.
FILTER_QUERY = {"asked": Provide(_filter_query, sync_to_thread=False)}


def _filter(asked: queries.FilterQuery) -> tuple[str, queries.CheckFilter]:
    """The tab and filter of the list, which never refuses one: what it cannot read it
    leaves out (a bad day is today). The exports refuse instead (server/checks/export_routes)."""
    asked = replace(
        asked,
        tab=asked.tab if asked.tab in queries.TABS else "visitors",
        window=asked.window if asked.window.isdigit() else "",
        q=asked.q.strip()[: queries.MAX_TEXT],
    )
    for fallback in (asked, replace(asked, until="")):
        try:
            return queries.parse_filter(fallback)
        except queries.BadFilter:
            continue
    return queries.parse_filter(replace(asked, day="", until=""))


class OfficeController(Controller):
    path = "/office"
    guards = [OFFICE]

    @get("/", dependencies=FILTER_QUERY)
    async def checks(
        self,
        request: Request,
        asked: NamedDependency[queries.FilterQuery],
        before: FromQuery[str] = "",
    ) -> object:
        tab, filt = _filter(asked)
        rows, next_cursor = await queries.LISTS[tab](filt, before or None)
        context = {
            "tab": tab,
            "filter": filt,
            "rows": rows,
            "next_cursor": next_cursor,
            "full_numbers": may_see_full_numbers(request.user),
        }
        if is_htmx(request):
            partial = "office/_rows.html" if before else "office/_results.html"
            return render(request, partial, **context)
        return render(request, "office/page.html", windows=await windows(), **context)

    @get("/visitors/{check_id:uuid}")
    async def visitor(self, request: Request, check_id: FromPath[uuid.UUID]) -> object:
        return await self._visitor_page(request, check_id)

    async def _visitor_page(self, request, check_id, status_code=200, errors=None, revealed=False):
        check = await service.visitor_check(check_id)
        if check is None:
            raise NotFoundException()
        return render(
            request,
            "office/visitor.html",
            status_code,
            check=check,
            revealed=revealed,
            errors=errors or {},
            history=await audit.history("visitor_check", check_id),
            names=await people_names(),
        )

    @get("/visitors/{check_id:uuid}/reveal", guards=[FULL_NUMBERS])
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
        return await self._visitor_page(request, check_id, revealed=True)

    @post("/visitors/{check_id:uuid}/edit")
    async def edit_visitor(self, request: Request, check_id: FromPath[uuid.UUID]) -> object:
        """The office corrects a record (a misspelt name, a wrong window): merged with any
        change a phone made meanwhile; the office wins a clash over a desk."""
        form = await request.form()
        # Empty number fields mean "unchanged": the form never shows the full numbers.
        changes = {k: form.get(k) for k in CORRECTABLE if form.get(k)}
        try:
            base_version = int(form.get("base_version", ""))
            await edits.edit_visitor_check(
                check_id,
                changes,
                base_version,
                edits.office_side(request.user.role),
                request.user.actor,
                await load_policy(),
                guard_safety=False,
            )
        except LookupError:
            raise NotFoundException() from None
        except (ValueError, Invalid) as bad:
            errors = (
                field_errors(request_locale(request), bad.problems)
                if isinstance(bad, Invalid)
                else {}
            )
            return await self._visitor_page(request, check_id, 422, errors=errors)
        return Redirect(f"/office/visitors/{check_id}", status_code=303)

    @get("/conflicts")
    async def conflicts(self, request: Request) -> object:
        return render(
            request,
            "office/conflicts.html",
            conflicts=await edits.open_conflicts(),
            names=await people_names(),
        )

    @post("/conflicts/{conflict_id:uuid}")
    async def resolve(self, request: Request, conflict_id: FromPath[uuid.UUID]) -> object:
        form = await request.form()
        await edits.resolve_conflict(
            conflict_id,
            form.get("decision") == "apply",
            edits.office_side(request.user.role),
            request.user.actor,
            await load_policy(),
        )
        return Redirect("/office/conflicts", status_code=303)

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
            names=await people_names(),
        )
