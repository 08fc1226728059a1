"""/hall: the hall's screen (大厅屏幕), no login. Large type: today's visitor count, the public
notices and health tips current today, and the fever clinic guide.

The board re-fetches itself every minute through htmx; without JavaScript the page is still
complete, only as of its load time, and says so. It shows nothing about any person."""

from __future__ import annotations

from litestar import Controller, Request, get

from server import clock
from server.notices.queries import hall_board
from server.policy.service import load_policy
from server.web import page_or_partial


class HallController(Controller):
    path = "/hall"  # public: listed in server.app.PUBLIC_PATHS

    @get("/")
    async def screen(self, request: Request) -> object:
        return page_or_partial(
            request,
            "hall/page.html",
            "hall/_board.html",
            board=await hall_board(clock.today()),
            fever_threshold=(await load_policy()).fever_threshold,
            updated=clock.now(),
        )
