"""/office/supplies: the stock overview (low stock, days left), each item's ledger with its
purchase, issue and adjustment forms, and the Excel export. Office and leaders only.

The movement forms are one htmx widget that swaps in place; with JavaScript off the same POST
redirects to the item page (or answers it with the errors)."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from server import clock
from server.accounts.guards import OFFICE
from server.checks.rules import Invalid
from server.i18n import field_errors, request_locale
from server.org.service import departments, roster_by_department
from server.supplies import export, service
from server.supplies.tables import MovementKind
from server.web import is_htmx, render
from sync.ids import new_entry_id, parse_entry_id

KINDS = {kind.value for kind in MovementKind}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _blank(notice: dict | None = None) -> dict:
    return {"entry_id": new_entry_id(), "values": {}, "errors": {}, "notice": notice}


def _fresh_forms() -> dict:
    return {kind.value: _blank() for kind in MovementKind}


def _entry_id(form) -> uuid.UUID:
    return parse_entry_id(form.get("entry_id", "")) or new_entry_id()


class SuppliesController(Controller):
    path = "/office/supplies"
    guards = [OFFICE]

    async def _overview(self, request: Request, status_code=200, new_item=None) -> object:
        return render(
            request,
            "supplies/page.html",
            status_code,
            items=await service.overview(clock.today()),
            new_item=new_item or _blank(),
        )

    @get("/")
    async def page(self, request: Request) -> object:
        return await self._overview(request)

    @post("/")
    async def add_item(self, request: Request) -> object:
        form = dict(await request.form())
        entry_id = _entry_id(form)
        try:
            recorded = await service.create_item(entry_id, form, request.user.actor)
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            return await self._overview(
                request, 422, {"entry_id": entry_id, "values": form, "errors": errors}
            )
        return Redirect(f"/office/supplies/{recorded.row['id']}", status_code=303)

    @get("/export.xlsx")
    async def export_workbook(self, request: Request) -> Response:
        today = clock.today()
        body = export.workbook(
            await service.overview(today),
            await service.movements(),
            today,
            request_locale(request),
        )
        disposition = f'attachment; filename="supplies-{today.isoformat()}.xlsx"'
        return Response(body, media_type=XLSX, headers={"Content-Disposition": disposition})

    async def _item(
        self, request, item_id, forms, status_code=200, edit_errors=None, edit_values=None
    ) -> object:
        current = await service.item_overview(item_id, clock.today())
        if current is None:
            raise NotFoundException()
        context = {
            "item": current,
            "forms": forms,
            "ledger": await service.ledger(item_id),
            "departments": await departments(),
            "roster": await roster_by_department(),
            "edit_errors": edit_errors or {},
            # What the office typed into the rename form, kept when it is refused.
            "edit_values": edit_values or {},
        }
        template = "supplies/_movements.html" if is_htmx(request) else "supplies/item.html"
        return render(request, template, status_code, **context)

    @get("/{item_id:uuid}")
    async def item_page(self, request: Request, item_id: FromPath[uuid.UUID]) -> object:
        return await self._item(request, item_id, _fresh_forms())

    @post("/{item_id:uuid}/movements")
    async def add_movement(self, request: Request, item_id: FromPath[uuid.UUID]) -> object:
        form = dict(await request.form())
        entry_id = _entry_id(form)
        if form.get("kind") not in KINDS:
            return await self._item(request, item_id, _fresh_forms(), 422)
        kind = MovementKind(form["kind"])
        try:
            recorded = await service.record_movement(
                entry_id, item_id, kind, form, request.user.actor, clock.today()
            )
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:
            forms = _fresh_forms()
            errors = field_errors(request_locale(request), bad.problems)
            forms[kind.value] = {"entry_id": entry_id, "values": form, "errors": errors}
            return await self._item(request, item_id, forms, 422)
        if not is_htmx(request):
            return Redirect(f"/office/supplies/{item_id}", status_code=303)
        forms = {**_fresh_forms(), kind.value: _blank(notice=recorded.row)}
        return await self._item(request, item_id, forms)

    @post("/{item_id:uuid}/edit")
    async def edit_item(self, request: Request, item_id: FromPath[uuid.UUID]) -> object:
        form = dict(await request.form())
        try:
            await service.update_item(item_id, form, request.user.actor)
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            return await self._item(request, item_id, _fresh_forms(), 422, errors, form)
        return Redirect(f"/office/supplies/{item_id}", status_code=303)
