"""Notices: the office writes, publishes, withdraws and sees who has not read
(/office/notices); staff and heads read and acknowledge (/notices), and the office and the
leaders read them there as staff see them; the notices whose days are over stay readable
(/notices/past)."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from server import clock
from server.accounts.guards import OFFICE, allow
from server.accounts.tables import Role
from server.checks.rules import Invalid
from server.i18n import N_, field_errors, request_locale, translate
from server.notices import queries, service
from server.notices.markdown import to_html
from server.notices.rules import is_current
from server.web import is_htmx, render
from sync.ids import new_entry_id, parse_entry_id


def _blank() -> dict:
    return {"entry_id": new_entry_id(), "values": {"to_staff": "1"}, "errors": {}}


def _entry_id(form) -> uuid.UUID:
    return parse_entry_id(form.get("entry_id", "")) or new_entry_id()


class OfficeNoticesController(Controller):
    path = "/office/notices"
    guards = [OFFICE]

    async def _list(self, request: Request, status_code=200, draft=None) -> object:
        today = clock.today()
        notices = [{**n, "current": is_current(n, today)} for n in await queries.office_list()]
        return render(
            request,
            "notices/office_list.html",
            status_code,
            notices=notices,
            readers_expected=len(await queries.expected_readers()),
            draft=draft or _blank(),
        )

    @get("/")
    async def page(self, request: Request) -> object:
        return await self._list(request)

    @post("/")
    async def create(self, request: Request) -> object:
        form = dict(await request.form())
        entry_id = _entry_id(form)
        try:
            recorded = await service.create_notice(
                entry_id,
                form,
                request.user.actor,
                form.get("action") == "publish",
                clock.now(),
                clock.today(),
            )
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            draft = {"entry_id": entry_id, "values": form, "errors": errors}
            return await self._list(request, 422, draft)
        return Redirect(f"/office/notices/{recorded.row['id']}", status_code=303)

    @post("/preview")
    async def preview(self, request: Request) -> object:
        """The body as it will look, sanitised, while the office types (htmx)."""
        form = await request.form()
        return render(request, "notices/_preview.html", body_html=to_html(form.get("body", "")))

    async def _detail(
        self, request, notice_id, status_code=200, errors=None, note=None, typed=None, refusal=None
    ) -> object:
        """The notice's page, or its readership section for htmx. A refused change of the
        draft answers the whole page, its form filled with what was `typed`."""
        found = await queries.notice_for_page(notice_id)
        if found is None:
            raise NotFoundException()
        context = {
            "notice": {**found, "current": is_current(found, clock.today())},
            "readers": await queries.readers(notice_id),
            "unread": await queries.unread_people(notice_id),
            "round_id": new_entry_id(),
            "errors": errors or {},
            "note": note,
            "refusal": refusal,
            "typed": typed,
        }
        if is_htmx(request) and not errors:
            return render(request, "notices/_readership.html", status_code, **context)
        return render(request, "notices/office_detail.html", status_code, **context)

    @get("/{notice_id:uuid}")
    async def detail(self, request: Request, notice_id: FromPath[uuid.UUID]) -> object:
        return await self._detail(request, notice_id)

    @post("/{notice_id:uuid}/edit")
    async def edit(self, request: Request, notice_id: FromPath[uuid.UUID]) -> object:
        form = dict(await request.form())
        try:
            await service.update_draft(
                notice_id,
                form,
                request.user.actor,
                form.get("action") == "publish",
                clock.now(),
                clock.today(),
            )
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:
            errors = field_errors(request_locale(request), bad.problems)
            return await self._detail(request, notice_id, 422, errors=errors, typed=form)
        return Redirect(f"/office/notices/{notice_id}", status_code=303)

    @post("/{notice_id:uuid}/publish")
    async def publish(self, request: Request, notice_id: FromPath[uuid.UUID]) -> object:
        return await self._status(request, notice_id, service.publish)

    @post("/{notice_id:uuid}/withdraw")
    async def withdraw(self, request: Request, notice_id: FromPath[uuid.UUID]) -> object:
        return await self._status(request, notice_id, service.withdraw)

    async def _status(self, request, notice_id, change) -> object:
        try:
            await change(notice_id, request.user.actor, clock.now(), clock.today())
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:  # a draft whose days have ended: the form opens at the date
            errors = field_errors(request_locale(request), bad.problems)
            return await self._detail(request, notice_id, 422, errors=errors)
        return Redirect(f"/office/notices/{notice_id}", status_code=303)

    @post("/{notice_id:uuid}/remind")
    async def remind(self, request: Request, notice_id: FromPath[uuid.UUID]) -> object:
        """Remind everyone with a login who has not read it (shown on their notices page)."""
        form = await request.form()
        round_id = parse_entry_id(form.get("round_id", "")) or new_entry_id()
        try:
            count = await service.remind(round_id, notice_id, request.user.actor, clock.now())
        except LookupError:
            raise NotFoundException() from None
        except Invalid as bad:  # not shown to staff today
            refusal = translate(request_locale(request), bad.problems[0].message)
            if not is_htmx(request):
                return Redirect(f"/office/notices/{notice_id}", status_code=303)
            return await self._detail(request, notice_id, 409, refusal=refusal)
        if not is_htmx(request):
            return Redirect(f"/office/notices/{notice_id}", status_code=303)
        note = translate(request_locale(request), N_("Reminded %(n)s people."), {"n": count})
        return await self._detail(request, notice_id, note=note)


# Whom a staff notice is for (they acknowledge it), and who also reads it as they see it.
ACKNOWLEDGING = allow(Role.staff, Role.head)
STAFF_NOTICES = allow(Role.staff, Role.head, Role.office, Role.leader)


def _reader(user) -> int | None:
    """The person whose acknowledgements the page shows: nobody for the office and the
    leaders, who write the notices and are not asked to acknowledge them."""
    return user.person_id if user.role in queries.READERS else None


class StaffNoticesController(Controller):
    """Notices addressed to staff: staff and department heads read and acknowledge them; the
    office and the leaders read them too."""

    path = "/notices"
    guards = [STAFF_NOTICES]

    @get("/")
    async def page(self, request: Request) -> object:
        notices = await queries.staff_notices(_reader(request.user), clock.today())
        return render(request, "notices/staff.html", notices=notices)

    @get("/past")
    async def past(self, request: Request) -> object:
        """The notices whose days are over, to look something up again."""
        notices = await queries.past_staff_notices(_reader(request.user), clock.today())
        return render(request, "notices/past.html", notices=notices)

    @post("/{notice_id:uuid}/read", guards=[ACKNOWLEDGING])
    async def acknowledge(self, request: Request, notice_id: FromPath[uuid.UUID]) -> object:
        user = request.user
        if user.person_id is None:
            message = N_("Your login is not linked to the roster; ask the administrator.")
            error = translate(request_locale(request), message)
            notices = await queries.staff_notices(None, clock.today())
            return render(request, "notices/staff.html", 422, notices=notices, error=error)
        try:
            await service.acknowledge(notice_id, user.person_id, user.id, user.actor, clock.now())
        except LookupError:
            raise NotFoundException() from None
        if not is_htmx(request):
            return Redirect("/notices/", status_code=303)
        notices = await queries.staff_notices(user.person_id, clock.today())
        shown = next((n for n in notices if n["id"] == notice_id), None)
        if shown is None:  # its last day ended since it was acknowledged (midnight)
            return Redirect("/notices/", status_code=303)
        return render(request, "notices/_staff_notice.html", n=shown)
