"""/admin/users: the admin lists accounts and creates them (or resets one's password)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from server.accounts.guards import ADMIN
from server.accounts.service import AccountError, create_user, load_user, set_active
from server.accounts.sessions import open_session
from server.accounts.tables import Role, UserAccount
from server.i18n import request_locale, translate
from server.org.service import departments, roster
from server.web import render


async def _accounts() -> list[dict]:
    return await UserAccount.select(
        UserAccount.id,
        UserAccount.username,
        UserAccount.role,
        UserAccount.display_name,
        UserAccount.active,
        UserAccount.person.name.as_alias("person_name"),
        UserAccount.department.name.as_alias("department_name"),
    ).order_by(UserAccount.username)


class AdminController(Controller):
    path = "/admin"
    guards = [ADMIN]

    async def _page(self, request: Request, status_code: int = 200, **context):
        return render(
            request,
            "admin/users.html",
            status_code,
            accounts=await _accounts(),
            roles=[r.value for r in Role],
            people=await roster(),
            departments=await departments(),
            **context,
        )

    @get("/users")
    async def users(self, request: Request) -> object:
        return await self._page(request, values={}, error=None, saved=None)

    @post("/users")
    async def save_user(self, request: Request) -> object:
        form = await request.form()
        values = {
            k: str(form.get(k, "")).strip()
            for k in ("username", "password", "role", "person", "department")
        }
        try:
            user_id = await create_user(
                values["username"],
                values["password"],
                values["role"],
                person_id=int(values["person"]) if values["person"].isdigit() else None,
                department_id=int(values["department"]) if values["department"].isdigit() else None,
                actor=request.user.actor,
            )
        except AccountError as bad:
            error = translate(request_locale(request), bad.message, bad.params)
            return await self._page(request, 422, values=values, error=error, saved=None)
        if user_id == request.user.id:
            # Their new password ended every session of the account, this one included.
            open_session(request, await load_user(user_id))
        return await self._page(request, values={}, error=None, saved=values["username"])

    @post("/users/{user_id:int}/active")
    async def switch(self, request: Request, user_id: FromPath[int]) -> object:
        """Switch an account off (a lost phone's login, someone who left) or on again."""
        active = (await request.form()).get("active") == "on"
        if not await set_active(user_id, active, request.user.actor):
            raise NotFoundException()
        return Redirect("/admin/users", status_code=303)
