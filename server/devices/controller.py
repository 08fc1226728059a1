"""Devices for the admin (create, show the enrollment code and QR, revoke) and the phone's
enrollment (a public page and POST /sync/enroll that trades the code for a token)."""

from __future__ import annotations

import io
import json

import segno
from litestar import Controller, Request, get, post
from litestar.exceptions import SerializationException
from litestar.params import FromPath
from litestar.response import Response

from server.accounts.controller import SESSION_STORE
from server.accounts.guards import ADMIN
from server.devices import service
from server.i18n import N_, request_locale, translate
from server.web import render

MAX_ENROLL_FAILURES = 10
ENROLL_WINDOW_SECONDS = 15 * 60


def qr_svg(text: str) -> str:
    """The enrollment link as an inline SVG QR code, for the phone's camera."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True)
    return out.getvalue().decode()


class DevicesController(Controller):
    path = "/admin/devices"
    guards = [ADMIN]

    async def _page(self, request: Request, enrollment=None, status_code: int = 200):
        link = qr = None
        if enrollment:
            link = f"{request.base_url}enroll?code={enrollment.code}"
            qr = qr_svg(link)
        return render(
            request,
            "devices/page.html",
            status_code,
            devices=await service.devices(),
            enrollment=enrollment,
            link=link,
            qr=qr,
        )

    @get("/")
    async def list_devices(self, request: Request) -> object:
        return await self._page(request)

    @post("/")
    async def create(self, request: Request) -> object:
        form = await request.form()
        name = str(form.get("name", "")).strip()
        if not name:
            return await self._page(request, status_code=422)
        enrollment = await service.create_device(name, request.user.actor)
        return await self._page(request, enrollment)

    @post("/{device_id:str}/code")
    async def new_code(self, request: Request, device_id: FromPath[str]) -> object:
        try:
            enrollment = await service.new_code(device_id, request.user.actor)
        except LookupError:
            return await self._page(request, status_code=404)
        return await self._page(request, enrollment)

    @post("/{device_id:str}/revoke")
    async def revoke(self, request: Request, device_id: FromPath[str]) -> object:
        await service.revoke(device_id, request.user.actor)
        return await self._page(request)


class EnrollController(Controller):
    opt = {"exclude_from_auth": True}

    @get("/enroll")
    async def page(self, request: Request) -> object:
        return render(request, "devices/enroll.html", code=request.query_params.get("code", ""))

    @post("/sync/enroll", opt={"exclude_from_csrf": True})
    async def enroll(self, request: Request) -> Response:
        """JSON {code} → {device, token}. Failures count against the address."""
        store = request.app.stores.get(SESSION_STORE)
        address = request.client.host if request.client else "unknown"
        key = f"enroll-fail:{address}"
        failures = json.loads(await store.get(key) or b"0")
        locale = request_locale(request)
        if failures >= MAX_ENROLL_FAILURES:
            message = N_("Too many requests. Wait a little, then try again.")
            return Response(
                {"error": "throttled", "detail": translate(locale, message)}, status_code=429
            )
        try:
            body = await request.json()
        except SerializationException:  # not JSON: no code
            body = {}
        code = str(body.get("code", "")) if isinstance(body, dict) else ""
        enrolled = await service.enroll(code)
        if enrolled is None:
            await store.set(key, json.dumps(failures + 1), expires_in=ENROLL_WINDOW_SECONDS)
            message = N_(
                "This code is not valid or has expired. Ask the administrator for a new one."
            )
            return Response(
                {"error": "bad_code", "detail": translate(locale, message)}, status_code=400
            )
        device_id, token = enrolled
        service.note_phone(request, service.token_hash(token))
        return Response({"device": device_id, "token": token}, status_code=201)
