"""/office/export.xlsx and /office/export.csv: every row the office list's filter selects (all
pages, not just the one shown), as a workbook or as a CSV streamed a batch at a time. Numbers
are masked unless `full=1` comes from a role that may see them (the FULL_NUMBERS rule); each
file is watermarked with who exported it and when, and each export is audited."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromQuery
from litestar.response import Stream

from server import clock
from server.accounts.guards import OFFICE, may_see_full_numbers
from server.audit import service as audit
from server.checks import export, queries
from server.checks.office import FILTER_QUERY
from server.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from server.i18n import aside, request_locale, translate

ENTITIES = {"visitors": "visitor_check", "staff": "staff_check"}


@dataclass(frozen=True)
class Asked:
    """An export the request may have: what to list, in which language, stamped how."""

    tab: str
    filter: queries.CheckFilter
    locale: str
    stamp: export.Stamp

    def headers(self, suffix: str, rows: int) -> dict:
        name = export.filename(self.tab, self.filter, self.stamp.full, suffix)
        return {
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Row-Count": str(rows),
            "Cache-Control": "no-store",  # personal data: no cache keeps a copy
        }


def _refusal(locale: str, status: int, message: str, params: dict) -> Response:
    text = translate(locale, message, params)
    return Response(text, status_code=status, media_type=MediaType.TEXT)


def _who(user, locale: str) -> str:
    if user.display_name and user.display_name != user.username:
        return aside(locale, user.display_name, user.username)
    return user.username


def _asked(request: Request, asked: queries.FilterQuery, full: str) -> Asked | Response:
    """The export asked for, or the 400 that says what is wrong with its filter. Full
    numbers asked by a role that may not see them are refused (403), as the reveal is."""
    locale = request_locale(request)
    try:
        tab, filt = queries.parse_filter(asked)
    except queries.BadFilter as bad:
        return _refusal(locale, 400, bad.message, bad.params)
    wants_full = full in queries.YES
    if wants_full and not may_see_full_numbers(request.user):
        raise PermissionDeniedException("full numbers not admitted")
    stamp = export.Stamp(_who(request.user, locale), clock.now(), wants_full and tab == "visitors")
    return Asked(tab, filt, locale, stamp)


async def _audit(request: Request, asked: Asked, suffix: str, rows: int) -> None:
    """One audit row per export: who (the actor), the filter, how many rows, full or not."""
    after = {
        "format": suffix,
        "filter": asked.filter.params(asked.tab),
        "rows": rows,
        "full_numbers": asked.stamp.full,
    }
    await audit.record(request.user.actor, "export", ENTITIES[asked.tab], "", None, after)


class OfficeExportController(Controller):
    path = "/office"
    guards = [OFFICE]
    dependencies = FILTER_QUERY

    @get("/export.xlsx")
    async def workbook(
        self,
        request: Request,
        asked: NamedDependency[queries.FilterQuery],
        full: FromQuery[str] = "",
    ) -> Response:
        chosen = _asked(request, asked, full)
        if isinstance(chosen, Response):
            return chosen
        count = await queries.count_checks(chosen.tab, chosen.filter)
        if count > export.MAX_WORKBOOK_ROWS:
            params = {"rows": count, "most": export.MAX_WORKBOOK_ROWS}
            return _refusal(chosen.locale, 422, export.TOO_MANY_FOR_A_WORKBOOK, params)
        batches = queries.every_check(chosen.tab, chosen.filter)
        rows = [row async for batch in batches for row in batch]
        await _audit(request, chosen, "xlsx", len(rows))
        # Building the workbook is CPU work: off the event loop, so other requests go on.
        body = await asyncio.to_thread(
            export.workbook, chosen.locale, chosen.tab, chosen.filter, rows, chosen.stamp
        )
        return Response(body, media_type=XLSX_MEDIA_TYPE, headers=chosen.headers("xlsx", len(rows)))

    @get("/export.csv")
    async def csv(
        self,
        request: Request,
        asked: NamedDependency[queries.FilterQuery],
        full: FromQuery[str] = "",
    ) -> Response | Stream:
        chosen = _asked(request, asked, full)
        if isinstance(chosen, Response):
            return chosen
        # Counted and audited before the first byte leaves: an export cut short is still on
        # record. Rows a phone syncs meanwhile may make the file a little longer.
        count = await queries.count_checks(chosen.tab, chosen.filter)
        await _audit(request, chosen, "csv", count)
        batches = queries.every_check(chosen.tab, chosen.filter)
        chunks = export.csv_chunks(chosen.locale, chosen.tab, batches, chosen.stamp)
        return Stream(chunks, media_type=CSV_MEDIA_TYPE, headers=chosen.headers("csv", count))
