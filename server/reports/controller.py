"""/zero-report: the department head's daily zero report (own department only), the office's
view of every department's report for a day, submitting on a department's behalf and marking
it not applicable. Leaders see everything and submit nothing.

Each round is one htmx widget that swaps in place; with JavaScript off the same POST redirects
back to the department page (or answers it with the errors)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from server import clock
from server.accounts.guards import ZERO_REPORT
from server.accounts.tables import Role
from server.checks.rules import Invalid, Problem
from server.i18n import N_, field_errors, request_locale
from server.policy.service import load_policy
from server.reports import district, labels, records, rules, service
from server.reports.tables import COUNT_FIELDS, ReportRound
from server.web import is_htmx, page_or_partial, render
from sync.ids import new_entry_id, parse_entry_id

SUBMITTERS = {Role.head.value, Role.office.value}


def parse_day(text: str | None) -> dt.date:
    """The day asked for; today when none or not a date, and never a day to come."""
    try:
        day = dt.date.fromisoformat(text) if text else clock.today()
    except ValueError:
        day = clock.today()
    return min(day, clock.today())


def _may_see(user, department_id: int) -> None:
    if user.role == Role.head and user.department_id != department_id:
        raise PermissionDeniedException("outside your department")


def _blank_form(values: dict | None = None) -> dict:
    return {"entry_id": new_entry_id(), "values": values or {}, "errors": {}}


async def round_panels(department: dict, day: dt.date, forms: dict | None = None) -> list[dict]:
    """Each round of the day for one department: its state, report and versions, what the
    records say, and the form (prefilled from the report being amended, else the records)."""
    now, policy = clock.now(), await load_policy()
    panels = []
    for row in await service.day_status(day, now, policy):
        if row["department"] != department["id"]:
            continue
        round_ = ReportRound(row["round"])
        recorded = (await records.recorded_counts(day, round_, policy, now)).get(
            department["id"], dict.fromkeys(COUNT_FIELDS, 0)
        )
        report = row["report"]
        prefill = {n: (report or recorded)[n] for n in COUNT_FIELDS}
        form = (forms or {}).get(round_.value) or _blank_form()
        if not form["values"]:  # a refused not-applicable mark keeps the counts' prefill
            form = {**form, "values": prefill}
        panels.append(
            {
                **row,
                "recorded": recorded,
                "mismatch": rules.mismatches(report, recorded),
                "versions": await service.versions(report["id"]) if report else [],
                "form": form,
                "na_entry_id": new_entry_id(),
            }
        )
    return panels


class ZeroReportController(Controller):
    path = "/zero-report"
    guards = [ZERO_REPORT]

    @get("/")
    async def index(self, request: Request, day: FromQuery[str] = "") -> object:
        """The head's own department; the office's and leaders' board of every department."""
        user = request.user
        if user.role == Role.head:
            if user.department_id is None:
                return render(request, "reports/department.html", department=None, panels=[])
            return await self._department_page(request, user.department_id, parse_day(day))
        shown = parse_day(day)
        report = await district.day_report(shown, clock.now(), await load_policy())
        return page_or_partial(
            request,
            "reports/board.html",
            "reports/_board.html",
            report=report,
            day=shown,
            labels=labels,
        )

    @get("/{department_id:int}")
    async def department_page(
        self, request: Request, department_id: FromPath[int], day: FromQuery[str] = ""
    ) -> object:
        _may_see(request.user, department_id)
        return await self._department_page(request, department_id, parse_day(day))

    async def _department(self, department_id: int) -> dict:
        found = await service.department(department_id)
        if found is None:
            raise NotFoundException()
        return found

    async def _department_page(self, request, department_id, day, forms=None, status_code=200):
        department = await self._department(department_id)
        return render(
            request,
            "reports/department.html",
            status_code,
            department=department,
            day=day,
            panels=await round_panels(department, day, forms),
            labels=labels,
        )

    async def _answer(self, request, department_id, day, round_, form=None, status_code=200):
        """The round's widget for htmx, else the page (errors) or a redirect back to it."""
        if not is_htmx(request) and status_code == 200:
            return Redirect(f"/zero-report/{department_id}?day={day.isoformat()}", status_code=303)
        department = await self._department(department_id)
        forms = {round_.value: form} if form else None
        if not is_htmx(request):
            return await self._department_page(request, department_id, day, forms, status_code)
        panels = await round_panels(department, day, forms)
        panel = next(p for p in panels if p["round"] == round_.value)
        return render(
            request,
            "reports/_round.html",
            status_code,
            department=department,
            day=day,
            panel=panel,
            labels=labels,
        )

    def _slot(self, request, department_id: int, day: dt.date, round_: str) -> ReportRound:
        if request.user.role not in SUBMITTERS:
            raise PermissionDeniedException("leaders read the reports")
        _may_see(request.user, department_id)
        if round_ not in {r.value for r in ReportRound}:
            raise NotFoundException()
        return ReportRound(round_)

    @post("/{department_id:int}/{day:date}/{round_:str}")
    async def submit(
        self,
        request: Request,
        department_id: FromPath[int],
        day: FromPath[dt.date],
        round_: FromPath[str],
    ) -> object:
        """The head submits (or amends) the round's counts; the office may, on its behalf."""
        slot = self._slot(request, department_id, day, round_)
        form = dict(await request.form())
        entry_id = parse_entry_id(form.get("entry_id", "")) or new_entry_id()
        try:
            if day > clock.today():
                raise Invalid([Problem("day", N_("There are no reports for days to come."))])
            await service.submit(
                entry_id, department_id, day, slot, form, request.user.actor,
                on_behalf=request.user.role == Role.office,
            )  # fmt: skip
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            failed = {"entry_id": entry_id, "values": form, "errors": errors}
            return await self._answer(request, department_id, day, slot, failed, 422)
        return await self._answer(request, department_id, day, slot)

    @post("/{department_id:int}/{day:date}/{round_:str}/not-applicable")
    async def not_applicable(
        self,
        request: Request,
        department_id: FromPath[int],
        day: FromPath[dt.date],
        round_: FromPath[str],
    ) -> object:
        """The office marks the department as having nothing to report that day and round."""
        if request.user.role != Role.office:
            raise PermissionDeniedException("only the office")
        slot = self._slot(request, department_id, day, round_)
        form = dict(await request.form())
        entry_id = parse_entry_id(form.get("entry_id", "")) or new_entry_id()
        try:
            await service.mark_not_applicable(
                entry_id, department_id, day, slot, str(form.get("note", "")), request.user.actor
            )
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            failed = {**_blank_form(), "na_errors": errors, "na_note": form.get("note", "")}
            return await self._answer(request, department_id, day, slot, failed, 422)
        return await self._answer(request, department_id, day, slot)
