"""What the declaration pages share: reading a posted form, showing stored answers in it,
translating a refusal's messages."""

from __future__ import annotations

from litestar import Request

from server.checks.rules import Invalid
from server.i18n import field_errors, request_locale

# Form fields that may be posted more than once (checkboxes).
# The declaration's symptoms are ticked boxes (several values); a sick absence's symptoms
# are one line of text (posted_text reads it as such).
MULTIPLE = ("symptoms",)


async def posted(request: Request) -> dict:
    """A declaration form: its ticked boxes as lists."""
    form = await request.form()
    values = {k: form.get(k, "") for k in form}
    for name in MULTIPLE:
        values[name] = form.getall(name) if name in form else []
    return values


async def posted_text(request: Request) -> dict:
    """A form of single values (a sick absence, a clearance)."""
    form = await request.form()
    return {k: form.get(k, "") for k in form}


def shown(answers: dict | None) -> dict:
    """Stored or cleaned answers as the form shows them: yes/no questions as "yes"/"no"."""
    if not answers:
        return {}
    values = dict(answers)
    for name, value in answers.items():
        if isinstance(value, bool):
            values[name] = "yes" if value else "no"
    if isinstance(values.get("symptoms"), str):
        values["symptoms"] = [s for s in values["symptoms"].split(",") if s]
    if values.get("temperature") is not None and not isinstance(values["temperature"], str):
        values["temperature"] = f"{values['temperature']:.1f}"
    return values


def errors(request: Request, bad: Invalid) -> dict[str, str]:
    return field_errors(request_locale(request), bad.problems)
