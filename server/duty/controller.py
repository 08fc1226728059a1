"""/duty: the week view per department with its gap check, planning and copying shifts, and
each shift's page with its duty log. The office and leaders edit every department; a head
edits their own; a staff member opens their own shifts (listed on /me)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from server import clock
from server.accounts.guards import ZERO_REPORT, allow
from server.accounts.service import people_names
from server.accounts.tables import Role
from server.checks.rules import Invalid
from server.duty import rules, service
from server.duty.copy_week import copy_last_week
from server.duty.tables import Post
from server.duty.week import build_rows, week_days
from server.i18n import N_, field_errors, request_locale
from server.org.service import departments, roster_by_department, windows
from server.org.tables import Person, Window
from server.web import is_htmx, render
from sync.ids import new_entry_id, parse_entry_id

PLANNERS = allow(Role.office, Role.leader, Role.head)
MAX_GAP_DAYS = 31


def _scope(user) -> int | None:
    """The department a user may plan: a head's own; None (all) for the office."""
    return user.department_id if user.role == Role.head else None


def _monday(text: str) -> dt.date:
    try:
        return rules.week_of(dt.date.fromisoformat(text))
    except ValueError:
        return rules.week_of(clock.today())


DEFAULT_GAP_DAYS = 7


@dataclass(frozen=True)
class Horizon:
    """How many days ahead the gap check looks, as asked (`typed`); `error` when what was
    asked is not a number of days (the default is shown meanwhile), `capped` when it was
    more than the check covers."""

    days: int
    typed: str = ""
    error: str = ""
    capped: bool = False


def _horizon(text: str) -> Horizon:
    text = text.strip()
    if not text:
        return Horizon(DEFAULT_GAP_DAYS)
    if not text.isdigit() or int(text) < 1:
        message = N_("Enter a number of days from 1 to %(most)s")
        return Horizon(DEFAULT_GAP_DAYS, text, message)
    days = int(text)
    return Horizon(min(days, MAX_GAP_DAYS), text, capped=days > MAX_GAP_DAYS)


def _department(user, text: str) -> int | None:
    if user.role == Role.head:
        return user.department_id
    return int(text) if text.isdigit() else None


def _week_url(monday: dt.date, department: int | None, **extra) -> str:
    query = {"week": monday.isoformat(), **extra}
    if department is not None:
        query["department"] = department
    return f"/duty?{urlencode(query)}"


async def _roster(scope: int | None) -> list:
    """The people a user may put on duty, grouped by department."""
    groups = await roster_by_department()
    if scope is None:
        return groups
    own = {p["id"] for p in await Person.select(Person.id).where(Person.department == scope)}
    return [
        (name, kept) for name, people in groups if (kept := [p for p in people if p["id"] in own])
    ]


def _may_open(user, row: dict | None) -> None:
    """A staff member opens their own shifts, a head their department's, the office all."""
    if row is None:
        raise NotFoundException()
    if user.role == Role.staff and row["person"] != user.person_id:
        raise PermissionDeniedException()
    if user.role == Role.head and row["department"] != user.department_id:
        raise PermissionDeniedException()


class DutyController(Controller):
    path = "/duty"

    async def _week(self, request, monday, department, horizon=None, status_code=200, form=None):
        user = request.user
        horizon = horizon or _horizon("")
        if horizon.error and status_code == 200:
            status_code = 422
        gaps = await service.gaps_ahead(clock.today(), horizon.days)
        week_gaps = await service.gaps_ahead(monday, 7)
        shifts = await service.shifts_between(monday, monday + dt.timedelta(days=6), department)
        all_windows = await windows()
        if department is not None:
            own = await Window.select(Window.id).where(Window.department == department)
            ids = {w["id"] for w in own}
            all_windows = [w for w in all_windows if w["id"] in ids]
        rows = build_rows(monday, shifts, all_windows, week_gaps, with_leader=department is None)
        return render(
            request,
            "duty/week.html",
            status_code,
            monday=monday,
            days=week_days(monday),
            department=department,
            departments=await departments(),
            rows=rows,
            gaps=gaps,
            horizon=horizon,
            windows=await windows(),
            roster=await _roster(_scope(user)),
            posts=[p.value for p in Post],
            phones=await service.phone_numbers(clock.today()),
            form=form or {"entry_id": new_entry_id(), "values": {}, "errors": {}},
            copied=request.query_params.get("copied"),
            skipped=request.query_params.get("skipped"),
            one_week=dt.timedelta(days=7),
            week_url=lambda day: _week_url(day, department),
        )

    @get("/", guards=[PLANNERS])
    async def week(
        self,
        request: Request,
        week: FromQuery[str] = "",
        department: FromQuery[str] = "",
        days: FromQuery[str] = "",
    ) -> object:
        return await self._week(
            request, _monday(week), _department(request.user, department), _horizon(days)
        )

    @get("/gaps", guards=[PLANNERS])
    async def gaps(self, request: Request, days: FromQuery[str] = "") -> object:
        horizon = _horizon(days)
        gaps = await service.gaps_ahead(clock.today(), horizon.days)
        template = "duty/_gaps.html" if is_htmx(request) else "duty/gaps.html"
        status_code = 422 if horizon.error else 200
        return render(request, template, status_code, gaps=gaps, horizon=horizon)

    @post("/shifts", guards=[PLANNERS])
    async def add_shift(self, request: Request) -> object:
        form = dict(await request.form())
        entry_id = parse_entry_id(form.get("entry_id", "")) or new_entry_id()
        user = request.user
        monday = _monday(form.get("day", ""))
        department = _department(user, form.get("view_department", ""))
        try:
            await service.add_shift(entry_id, form, user.actor, _scope(user))
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            failed = {"entry_id": entry_id, "values": form, "errors": errors}
            return await self._week(request, monday, department, status_code=422, form=failed)
        return Redirect(_week_url(monday, department), status_code=303)

    @post("/shifts/{shift_id:uuid}/delete", guards=[PLANNERS])
    async def remove_shift(self, request: Request, shift_id: FromPath[uuid.UUID]) -> object:
        user = request.user
        row = await service.shift(shift_id)
        try:
            await service.remove_shift(shift_id, user.actor, _scope(user))
        except PermissionError:
            raise PermissionDeniedException() from None
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            return await self._shift_page(request, row, 422, errors={"remove": errors["shift"]})
        if row is None:  # removed before (a second click): nothing to go back to
            return Redirect(_week_url(rules.week_of(clock.today()), _scope(user)), status_code=303)
        # Back to the shift's department, where the gap it leaves shows.
        return Redirect(_week_url(rules.week_of(row["day"]), row["department"]), status_code=303)

    @post("/copy", guards=[PLANNERS])
    async def copy_week(self, request: Request) -> object:
        """Copies the department in view (a head's own, whatever the form says)."""
        form = await request.form()
        user = request.user
        monday = _monday(form.get("week", ""))
        department = _department(user, form.get("department", ""))
        done = await copy_last_week(monday, user.actor, department)
        shown = {"copied": done.added, **({"skipped": len(done.skipped)} if done.skipped else {})}
        return Redirect(_week_url(monday, department, **shown), status_code=303)

    async def _shift_page(self, request, row, status_code=200, errors=None, entry=None):
        user = request.user
        _may_open(user, row)
        return render(
            request,
            "duty/shift.html",
            status_code,
            shift=row,
            log=await service.duty_log(row["id"]),
            names=await people_names(),
            may_remove=user.role != Role.staff,
            # No report is kept ahead: a day to come has none to link to.
            zero_report=user.role in ZERO_REPORT.roles and row["day"] <= clock.today(),
            errors=errors or {},
            entry=entry or {"entry_id": new_entry_id(), "values": {}},
        )

    @get("/shifts/{shift_id:uuid}", guards=[allow(Role.office, Role.leader, Role.head, Role.staff)])
    async def shift_page(self, request: Request, shift_id: FromPath[uuid.UUID]) -> object:
        return await self._shift_page(request, await service.shift(shift_id))

    @post(
        "/shifts/{shift_id:uuid}/log",
        guards=[allow(Role.office, Role.leader, Role.head, Role.staff)],
    )
    async def add_log(self, request: Request, shift_id: FromPath[uuid.UUID]) -> object:
        row = await service.shift(shift_id)
        _may_open(request.user, row)  # who may read the log may write in it
        form = dict(await request.form())
        entry_id = parse_entry_id(form.get("entry_id", "")) or new_entry_id()
        try:
            await service.add_log_entry(
                entry_id, shift_id, form.get("kind", ""), form.get("text", ""), request.user.actor
            )
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            entry = {"entry_id": entry_id, "values": form}
            return await self._shift_page(request, row, 422, errors, entry)
        return Redirect(f"/duty/shifts/{shift_id}", status_code=303)
