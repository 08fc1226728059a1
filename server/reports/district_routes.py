"""/office/district-report: the bureau-wide zero report for the district over a range of days,
on screen (htmx filters), as an Excel workbook, a CSV streamed a day at a time, and a print
page. Office and leaders only."""

from __future__ import annotations

import asyncio

from litestar import Controller, MediaType, Request, Response, get
from litestar.params import FromQuery
from litestar.response import Stream

from server import clock
from server.accounts.guards import OFFICE
from server.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from server.i18n import N_, request_locale, translate
from server.policy.service import load_policy
from server.reports import district, export, labels, service
from server.web import page_or_partial, render

TOO_LONG_FOR_A_WORKBOOK = N_("At most %(days)s days in a workbook; the CSV takes longer ranges.")


async def _range(first: str | None, last: str | None):
    """(the range, None) or (None, the msgid of what is wrong with it)."""
    try:
        return district.parse_range(first, last, clock.today()), None
    except district.BadRange as bad:
        return None, str(bad)


def _filename(span: district.DayRange, suffix: str) -> str:
    return f"zero-report-{span.first.isoformat()}-{span.last.isoformat()}.{suffix}"


async def _district_page(request: Request, first: str | None, last: str | None):
    span, error = await _range(first, last)
    reports = []
    if span is not None:
        now, policy = clock.now(), await load_policy()
        reports = [r async for r in district.days_report(span, now, policy)]
    return page_or_partial(
        request,
        "reports/district.html",
        "reports/_district.html",
        200 if span else 422,
        span=span,
        first=first or clock.today().isoformat(),
        last=last or first or clock.today().isoformat(),
        error=error,
        cut_at_today=span is not None and (last or "") > span.last.isoformat(),
        reports=reports,
        rows=sum(len(r["rows"]) for r in reports),
        workbook_days=district.MAX_WORKBOOK_DAYS,
        labels=labels,
    )


class DistrictReportController(Controller):
    path = "/office/district-report"
    guards = [OFFICE]

    @get("/")
    async def page(
        self, request: Request, first: FromQuery[str] = "", last: FromQuery[str] = ""
    ) -> object:
        return await _district_page(request, first, last)

    @get("/print")
    async def print_page(
        self, request: Request, first: FromQuery[str] = "", last: FromQuery[str] = ""
    ) -> object:
        span, error = await _range(first, last)
        if span is None:
            return await _district_page(request, first, last)
        now, policy = clock.now(), await load_policy()
        reports = [r async for r in district.days_report(span, now, policy)]
        return render(request, "reports/print.html", reports=reports, span=span, labels=labels)

    @get("/export.xlsx")
    async def export_workbook(
        self, request: Request, first: FromQuery[str] = "", last: FromQuery[str] = ""
    ) -> Response:
        span, error = await _range(first, last)
        locale = request_locale(request)
        if span is None or len(span.days) > district.MAX_WORKBOOK_DAYS:
            message = error or TOO_LONG_FOR_A_WORKBOOK
            text = translate(locale, message, {"days": district.MAX_WORKBOOK_DAYS})
            return Response(text, status_code=422, media_type=MediaType.TEXT)
        now, policy = clock.now(), await load_policy()
        reports = [r async for r in district.days_report(span, now, policy)]
        # Building the workbook is CPU work: off the event loop, so other requests go on.
        body = await asyncio.to_thread(export.workbook, locale, reports)
        disposition = f'attachment; filename="{_filename(span, "xlsx")}"'
        return Response(
            body, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition}
        )

    @get("/export.csv")
    async def export_csv(
        self, request: Request, first: FromQuery[str] = "", last: FromQuery[str] = ""
    ) -> Response | Stream:
        span, error = await _range(first, last)
        locale = request_locale(request)
        if span is None:
            text = translate(locale, error)
            return Response(text, status_code=422, media_type=MediaType.TEXT)
        now, policy = clock.now(), await load_policy()
        departments = len(await service.departments())
        return Stream(
            export.csv_chunks(locale, district.days_report(span, now, policy)),
            media_type=CSV_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{_filename(span, "csv")}"',
                # At least this many rows (two per department on emergency days).
                "X-Row-Count": str(district.row_count(span, departments)),
                "Cache-Control": "no-store",
            },
        )
