"""The settings form: each adjustable rule of the plan read from what the admin typed, checked
on its own and against the others, so no stored combination can break a rule (a fever
threshold outside the valid readings, an afternoon deadline before the morning one)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from server.checks.rules import half_width
from server.i18n import N_
from server.policy.service import Policy

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# A number the desk dials: digits in groups, an optional country code (0632-1234567, 120,
# +86 632 1234567); E.164 has at most 15 digits, the shortest service numbers 3.
PHONE = re.compile(r"^\+?\d+(-\d+)*$")
RISK_ANSWERS = ("fever", "symptoms", "left_city", "outbreak_contact", "household_symptoms")
WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)


class Refused(ValueError):
    """A value the rule cannot take: a msgid and its parameters."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Field:
    """One setting on the form: how its text becomes a value."""

    name: str
    parse: Callable[[object], object]


def _number(kind: type, low, high) -> Callable[[object], object]:
    def parse(raw) -> object:
        try:
            value = kind(half_width(raw))
        except ValueError:
            raise Refused(N_("Enter a number")) from None
        if not low <= value <= high:
            raise Refused(N_("Between %(low)s and %(high)s"), low=low, high=high)
        return value

    return parse


def _time(raw) -> str:
    text = half_width(raw)
    if not TIME.match(text):
        raise Refused(N_("Enter a time as HH:MM, e.g. 09:00"))
    return text


def _hours(raw) -> str:
    opens, _, closes = half_width(raw).replace(" ", "").partition("-")
    opens, closes = _time(opens), _time(closes)
    if opens >= closes:
        raise Refused(N_("Enter opening hours as HH:MM-HH:MM, opening first"))
    return f"{opens}-{closes}"


def _phone(raw) -> str:
    """A phone number as it is dialled and shown ("" leaves it unset): spaces between the
    groups become hyphens, so the number reads as typed and still makes a tel: link."""
    text = re.sub(r"[\s-]+", "-", half_width(raw))
    digits = sum(c.isdigit() for c in text)
    if text and not (PHONE.match(text) and 3 <= digits <= 15):
        raise Refused(N_("Enter a phone number in digits, e.g. 0632-1234567 or 120"))
    return text


def _chosen(allowed: tuple, kind: type) -> Callable[[object], tuple]:
    def parse(raw) -> tuple:
        picked = {kind(v) for v in raw if str(v) in {str(a) for a in allowed}}
        if not picked:
            raise Refused(N_("Choose at least one"))
        return tuple(a for a in allowed if a in picked)

    return parse


FIELDS = (
    Field("fever_threshold", _number(float, 35.0, 42.0)),
    Field("min_valid_temperature", _number(float, 30.0, 37.0)),
    Field("max_valid_temperature", _number(float, 40.0, 45.0)),
    Field("declaration_deadline", _time),
    Field("declaration_risk_answers", _chosen(RISK_ANSWERS, str)),
    Field("zero_report_deadline", _time),
    Field("zero_report_afternoon_deadline", _time),
    Field("district_report_hours", _number(int, 1, 24)),
    Field("visitor_retention_days", _number(int, 1, 365)),
    Field("opening_hours", _hours),
    Field("opening_weekdays", _chosen(WEEKDAYS, int)),
    Field("contact_window_minutes", _number(int, 5, 240)),
    Field("contact_observation_days", _number(int, 1, 28)),
    Field("office_phone", _phone),
    Field("district_epidemic_phone", _phone),
)
CHOICES = {"declaration_risk_answers", "opening_weekdays"}


def _across(values: dict) -> dict[str, Refused]:
    """The rules between settings."""
    problems = {}
    low, high = values["min_valid_temperature"], values["max_valid_temperature"]
    if not low < values["fever_threshold"] < high:
        problems["fever_threshold"] = Refused(
            N_("Must lie between the lowest and the highest valid reading")
        )
    if values["zero_report_afternoon_deadline"] <= values["zero_report_deadline"]:
        problems["zero_report_afternoon_deadline"] = Refused(
            N_("Must come after the morning deadline")
        )
    return problems


def read_form(form) -> tuple[dict, dict[str, Refused]]:
    """The values a submitted form asks for (what was typed, where it could not be read) and
    what is wrong with them, by setting."""
    values, problems = {}, {}
    for field in FIELDS:
        raw = form.getall(field.name, []) if field.name in CHOICES else form.get(field.name, "")
        try:
            values[field.name] = field.parse(raw)
        except Refused as refused:
            values[field.name] = raw
            problems[field.name] = refused
    if not problems:
        problems = _across(values)
    return values, problems


def as_form(policy: Policy) -> dict:
    """The policy's values as the form shows them."""
    return {field.name: getattr(policy, field.name) for field in FIELDS}
