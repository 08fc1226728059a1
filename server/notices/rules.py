"""The notice form's rules and what "current" means, as pure functions."""

from __future__ import annotations

import datetime as dt

from server.checks.rules import Invalid, Problem, half_width
from server.i18n import N_
from server.notices.tables import NoticeKind, NoticeStatus

MAX_BODY = 20_000
KINDS = {k.value for k in NoticeKind}


def _date(form: dict, name: str, problems: list[Problem]) -> dt.date | None:
    raw = half_width(form.get(name))
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(name, N_("Enter the date as YYYY-MM-DD")))
        return None


def _ticked(form: dict, name: str) -> bool:
    return str(form.get(name) or "") in ("1", "on", "yes", "true")


def clean_notice(form: dict) -> dict:
    """Kind, title, Markdown body, audience and the days it is shown; raises Invalid naming
    every bad field at once."""
    problems: list[Problem] = []
    kind = str(form.get("kind") or "")
    if kind not in KINDS:
        problems.append(Problem("kind", N_("Choose the kind of notice")))
    title = str(form.get("title") or "").strip()
    if not title or len(title) > 100:
        problems.append(Problem("title", N_("Give a title of at most 100 characters")))
    body = str(form.get("body") or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_BODY:
        message = N_("The text is too long (at most %(max)s characters)")
        problems.append(Problem("body", message, {"max": MAX_BODY}))
    to_staff, to_public = _ticked(form, "to_staff"), _ticked(form, "to_public")
    if not (to_staff or to_public):
        problems.append(Problem("audience", N_("Publish it to staff, to the public, or both")))
    shown_from = _date(form, "shown_from", problems)
    shown_until = _date(form, "shown_until", problems)
    if shown_from and shown_until and shown_until < shown_from:
        message = N_("The last day cannot come before the first day")
        problems.append(Problem("shown_until", message))
    if problems:
        raise Invalid(problems)
    return {
        "kind": kind,
        "title": title,
        "body": body,
        "to_staff": to_staff,
        "to_public": to_public,
        "shown_from": shown_from,
        "shown_until": shown_until,
    }


def is_current(notice: dict, today: dt.date) -> bool:
    """Published, not withdrawn, and `today` within the days it is shown."""
    if notice["status"] != NoticeStatus.published:
        return False
    starts = notice["shown_from"]
    ends = notice["shown_until"]
    return (starts is None or starts <= today) and (ends is None or today <= ends)


def read_key(notice_id, person_id: int) -> str:
    """One acknowledgement per person and notice: the key the database keeps unique."""
    return f"{notice_id}|{person_id}"
