"""The start page: each role lands where its work is."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Redirect

from server.accounts.guards import EVERYONE

LANDING = {
    "desk": "/desk",
    "office": "/dashboard",
    "leader": "/dashboard",
    "admin": "/admin/users",
    "head": "/me",
    "staff": "/me",
}


@get("/", guards=[EVERYONE])
async def home(request: Request) -> Redirect:
    return Redirect(LANDING[request.user.role])
