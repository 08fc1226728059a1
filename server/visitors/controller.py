"""Visitor pre-registration: the public form a visitor opens from the hall's QR code (/visit,
no login, CSRF-protected, rate-limited per address) and the office's page with the poster.

The answer to the form is the code and its QR, rendered in the POST's own response: no page
anyone could open later shows a pre-registration."""

from __future__ import annotations

import hashlib
import json

from litestar import Controller, Request, get, post

from server import clock
from server.accounts.controller import SESSION_STORE
from server.accounts.guards import OFFICE
from server.checks.rules import SYMPTOMS, Invalid
from server.devices.controller import qr_svg
from server.i18n import N_, field_errors, request_locale, translate
from server.policy.service import load_policy
from server.visitors import service
from server.web import render
from sync.ids import new_entry_id, parse_entry_id

# Submissions (good or bad) from one address in a window; a hall's Wi-Fi puts many visitors
# behind one address, so the limit is generous for people and tight for a script.
MAX_SUBMISSIONS = 20
WINDOW_SECONDS = 15 * 60


def _address_key(request: Request) -> str:
    """The counter's key: a digest of the address, so even the counter keeps no address."""
    address = request.client.host if request.client else "unknown"
    return "visit-rate:" + hashlib.sha256(address.encode()).hexdigest()[:24]


THROTTLED = N_(
    "Too many registrations from this network. Wait 15 minutes, or register at the desk."
)


async def _over_limit(request: Request) -> bool:
    """Count this submission against its address; True once the window's limit is spent."""
    store = request.app.stores.get(SESSION_STORE)
    key = _address_key(request)
    count = json.loads(await store.get(key) or b"0")
    if count >= MAX_SUBMISSIONS:
        return True
    expires = await store.expires_in(key)
    window = expires if expires and expires > 0 else WINDOW_SECONDS
    await store.set(key, json.dumps(count + 1), expires_in=window)
    return False


def visit_link(request: Request) -> str:
    return f"{request.base_url}visit"


def desk_link(request: Request, code: str) -> str:
    return f"{request.base_url}desk?prereg={code}"


class VisitController(Controller):
    path = "/visit"  # public: listed in server.app.PUBLIC_PATHS

    def _form(self, request: Request, status_code=200, values=None, errors=None, entry_id=None):
        return render(
            request,
            "visitors/form.html",
            status_code,
            entry_id=entry_id or new_entry_id(),
            values=values or {},
            errors=errors or {},
            symptom_codes=SYMPTOMS,
        )

    @get("/")
    async def form(self, request: Request) -> object:
        return self._form(request)

    @post("/")
    async def submit(self, request: Request) -> object:
        if await _over_limit(request):
            message = translate(request_locale(request), THROTTLED)
            return render(request, "visitors/throttled.html", 429, message=message)
        form = await request.form()
        values = {k: form.get(k, "") for k in form}
        values["symptoms"] = form.getall("symptoms") if "symptoms" in form else []
        entry_id = parse_entry_id(values.get("entry_id", "")) or new_entry_id()
        try:
            made = await service.create(entry_id, values, await load_policy())
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            return self._form(request, 422, values, errors, entry_id)
        return render(
            request,
            "visitors/done.html",
            code=made["code"],
            last_day=service.last_day(made["expires_at"]),
            qr=qr_svg(desk_link(request, made["code"])),
        )


class PreregOfficeController(Controller):
    path = "/office/prereg"
    guards = [OFFICE]

    @get("/")
    async def page(self, request: Request) -> object:
        return render(
            request,
            "visitors/office.html",
            link=visit_link(request),
            qr=qr_svg(visit_link(request)),
            preregs=await service.recent(clock.now()),
            now=clock.now(),
        )

    @get("/poster")
    async def poster(self, request: Request) -> object:
        """The printable poster for the hall's door and windows (A4)."""
        return render(
            request,
            "visitors/poster.html",
            link=visit_link(request),
            qr=qr_svg(visit_link(request)),
        )
