"""/me: a staff member's own recent checks; a department head also sees the team's today."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get

from server import clock
from server.accounts.guards import allow
from server.accounts.tables import Role
from server.checks.tables import StaffCheck
from server.declarations.mine import my_day
from server.duty.service import my_shifts
from server.policy.service import load_policy
from server.reports.service import reminders_for
from server.web import render

RECENT_DAYS = 14


async def own_checks(person_id: int | None) -> list[dict]:
    if person_id is None:
        return []
    since, _ = clock.day_bounds(clock.today() - dt.timedelta(days=RECENT_DAYS))
    return (
        await StaffCheck.select(
            StaffCheck.direction,
            StaffCheck.temperature,
            StaffCheck.remeasure_temperature,
            StaffCheck.status,
            StaffCheck.taken_at,
        )
        .where((StaffCheck.person == person_id) & (StaffCheck.taken_at >= since))
        .order_by(StaffCheck.taken_at, ascending=False)
    )


async def team_today(department_id: int | None) -> list[dict]:
    if department_id is None:
        return []
    start, end = clock.day_bounds(clock.today())
    return (
        await StaffCheck.select(
            StaffCheck.person.name.as_alias("name"),
            StaffCheck.direction,
            StaffCheck.temperature,
            StaffCheck.remeasure_temperature,
            StaffCheck.status,
            StaffCheck.taken_at,
        )
        .where(
            (StaffCheck.person.department == department_id)
            & (StaffCheck.taken_at >= start)
            & (StaffCheck.taken_at < end)
        )
        .order_by(StaffCheck.taken_at, ascending=False)
    )


class MeController(Controller):
    path = "/me"
    guards = [allow(Role.staff, Role.head)]

    @get("/")
    async def page(self, request: Request) -> object:
        user = request.user
        team = await team_today(user.department_id) if user.role == Role.head else None
        # Today's declaration, its reminder and the work status lead the page.
        day = None
        if user.person_id is not None:
            day = await my_day(user.person_id, clock.now(), await load_policy())
        # A head is reminded of the department's zero report until it is in.
        zero = await reminders_for(user.department_id, clock.now()) if team is not None else []
        shifts = await my_shifts(user.person_id, clock.today()) if user.person_id else []
        return render(
            request,
            "me/page.html",
            checks=await own_checks(user.person_id),
            team=team,
            day=day,
            zero_reminders=zero,
            shifts=shifts,
        )
