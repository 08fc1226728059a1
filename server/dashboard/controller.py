"""/dashboard: where the office and leaders land. The figures refresh themselves every 10
seconds through htmx (the page alone, without JavaScript, is complete as of its load)."""

from __future__ import annotations

from litestar import Controller, Request, get

from server import clock
from server.accounts.guards import OFFICE
from server.dashboard.chart import HEIGHT, WIDTH, columns
from server.dashboard.service import dashboard
from server.policy.service import load_policy
from server.web import page_or_partial


class DashboardController(Controller):
    path = "/dashboard"
    guards = [OFFICE]

    @get("/")
    async def page(self, request: Request) -> object:
        figures = await dashboard(clock.now(), await load_policy())
        return page_or_partial(
            request,
            "dashboard/page.html",
            "dashboard/_figures.html",
            chart={"columns": columns(figures["trend"]), "width": WIDTH, "height": HEIGHT},
            **figures,
        )
