"""/me: a staff member's own recent checks; a department head also sees the team's today."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get

from server import clock
from server.accounts.guards import allow
from server.accounts.tables import Role
from server.checks.tables import StaffCheck
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
        return render(request, "me/page.html", checks=await own_checks(user.person_id), team=team)
