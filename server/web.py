"""Rendering pages: full pages, or only the partial when htmx asks."""

from __future__ import annotations

import datetime as dt

from litestar import MediaType, Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from server import clock, i18n
from server.checks import labels
from server.incidents import labels as incident_labels
from server.privacy import mask_id_number, mask_phone
from server.settings import WEB_DIR


def _local_time(moment: dt.datetime | str | None, fmt: str = "%H:%M") -> str:
    """`moment` in the hall's time; also as the ISO text a record's audit history keeps."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return clock.local(moment).strftime(fmt)


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    i18n.install(env)
    env.filters["mask_phone"] = mask_phone
    env.filters["mask_id"] = mask_id_number
    env.filters["local_time"] = _local_time
    env.filters["celsius"] = lambda v: "" if v is None else f"{v:.1f}"
    env.globals["LOCALE_NAMES"] = i18n.LOCALE_NAMES
    for name in ("STATUS_LABELS", "SYMPTOM_LABELS", "DIRECTION_LABELS"):
        env.globals[name] = getattr(labels, name)
    env.globals["CHECK_FIELD_LABELS"] = labels.FIELD_LABELS
    env.globals["INCIDENT_FIELD_LABELS"] = incident_labels.FIELD_LABELS


def template_config() -> TemplateConfig:
    return TemplateConfig(
        directory=WEB_DIR / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=_configure,
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and not request.headers.get("hx-boosted")


def render(request: Request, template: str, status_code: int = 200, **context) -> Template:
    """`template` with the context every page needs. Vary on HX-Request, because the same URL
    answers a fragment to htmx and a page to everyone else."""
    locale = i18n.request_locale(request)
    return Template(
        template_name=template,
        context={
            **context,
            "locale": locale,
            "user": request.scope.get("user"),
            "today": clock.today(),
            # base.html names it on <body>: the phone's scripts reckon days and times in it.
            "hall_zone": clock.hall_zone().key,
            "emergency": request.scope.get("state", {}).get("emergency"),
        },
        status_code=status_code,
        # Pages carry personal data: no cache (browser, proxy or back-forward) keeps them.
        headers={"Vary": "HX-Request", "Cache-Control": "no-store"},
        media_type=MediaType.HTML,
    )


def page_or_partial(request: Request, page: str, partial: str, status_code: int = 200, **ctx):
    """The whole page for a normal request (and for JavaScript off), the partial for htmx."""
    return render(request, partial if is_htmx(request) else page, status_code, **ctx)
