"""/admin/settings: the admin adjusts the plan's rules (fever threshold, deadlines, retention,
opening hours, close-contact window …); each change is audited with its before and after,
phones pick the new values up with their next pull (the reference data's hash changes), and
the scheduled jobs at every process's next tick (server/notify/scheduler.follow_settings)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect

from server.accounts.guards import ADMIN
from server.db import write_transaction
from server.i18n import request_locale, translate
from server.policy import editing
from server.policy.service import load_policy, store_setting
from server.web import render


class SettingsController(Controller):
    path = "/admin/settings"
    guards = [ADMIN]

    @get("/")
    async def page(self, request: Request, saved: FromQuery[str] = "") -> object:
        values = editing.as_form(await load_policy())
        return _page(request, values, errors={}, saved=saved == "1")

    @post("/")
    async def save(self, request: Request) -> object:
        values, problems = editing.read_form(await request.form())
        if problems:
            locale = request_locale(request)
            errors = {k: translate(locale, p.message, p.params) for k, p in problems.items()}
            return _page(request, values, errors=errors, saved=False, status_code=422)
        async with write_transaction():
            for key, value in values.items():
                await store_setting(key, value, request.user.actor)
        return Redirect("/admin/settings/?saved=1", status_code=303)


def _page(request: Request, values: dict, errors: dict, saved: bool, status_code: int = 200):
    return render(
        request,
        "policy/settings.html",
        status_code,
        values=values,
        errors=errors,
        saved=saved,
        risk_answers=editing.RISK_ANSWERS,
        weekdays=editing.WEEKDAYS,
    )
