"""SPEC rule 3 and the field checks of a visitor check, as pure functions.

Messages are English msgids; the pages translate them (Simplified Chinese by default)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from server.checks.tables import CheckStatus
from server.i18n import N_
from server.policy.service import Policy

SYMPTOMS = ("cough", "fatigue", "sore_throat", "short_breath", "other")
# ASCII digits only: the rules read input through half_width(), and the office search finds
# a number by its stored digits.
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


@dataclass(frozen=True)
class Problem:
    """One field's error: a translatable message and the values it names."""

    field: str
    message: str
    params: dict = field(default_factory=dict)


class Invalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def half_width(value) -> str:
    """What was typed with a Chinese input method, in the ASCII forms the rules read:
    full-width digits and punctuation (１３８, ０８：３０, ２０２０－０２－１０) become 138,
    08:30, 2020-02-10 (Unicode NFKC), trimmed. float() and int() read full-width digits
    already, a date, a time or a pattern's literal digits do not."""
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def parse_temperature(text: str, policy: Policy, field_name: str = "temperature") -> float:
    """A reading in °C rounded to 0.1; outside the valid range it is a misread, not a fever."""
    try:
        value = round(float(half_width(text).replace(",", ".")), 1)
    except ValueError:
        message = N_("Enter the temperature as a number, e.g. 36.5")
        raise Invalid([Problem(field_name, message)]) from None
    low, high = policy.min_valid_temperature, policy.max_valid_temperature
    if not low <= value <= high:
        message = N_(
            "%(value)s °C is outside %(low)s–%(high)s °C: measure again, this is a misread"
        )
        raise Invalid([Problem(field_name, message, {"value": value, "low": low, "high": high})])
    return value


def is_abnormal(value: float, policy: Policy) -> bool:
    return value >= policy.fever_threshold


def first_reading_status(
    temperature: float, symptoms: list[str], travel_or_contact: bool, policy: Policy
) -> CheckStatus:
    """Symptoms together with travel or contact hold the person at once; an abnormal first
    reading asks for a re-measure."""
    if symptoms and travel_or_contact:
        return CheckStatus.held
    if is_abnormal(temperature, policy):
        return CheckStatus.remeasure
    return CheckStatus.normal


def remeasure_status(temperature: float, policy: Policy) -> CheckStatus:
    return CheckStatus.held if is_abnormal(temperature, policy) else CheckStatus.cleared


def is_mobile(phone: str) -> bool:
    """A mainland China mobile number: 11 digits starting 13–19."""
    return bool(MOBILE.match(phone))


def is_id_number(number: str) -> bool:
    """An 18-character resident ID (GB 11643-1999): a real birth date and the ISO 7064 check
    character."""
    number = number.upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11] == number[17]


def clean_symptoms(values) -> list[str]:
    """Known symptom codes in a fixed order, from a list or a comma-separated string."""
    chosen = values.split(",") if isinstance(values, str) else list(values or [])
    return [s for s in SYMPTOMS if s in chosen]


def count_typed_symptom(fields: dict) -> None:
    """A symptom typed in with its box ("other") left unticked is still a symptom: rule 3
    holds on it, and the text is kept."""
    if fields["symptoms_other"] and "other" not in fields["symptoms"]:
        fields["symptoms"] = clean_symptoms([*fields["symptoms"], "other"])


def _name(value, _policy) -> str:
    name = str(value or "").strip()
    if not name:
        raise Invalid([Problem("name", N_("Enter the visitor's name"))])
    if len(name) > 50:
        raise Invalid([Problem("name", N_("The name is too long (at most 50 characters)"))])
    return name


def _phone(value, _policy) -> str:
    phone = half_width(value).replace(" ", "")
    if not is_mobile(phone):
        message = N_("Enter an 11-digit mobile number, e.g. 13812345678")
        raise Invalid([Problem("phone", message)])
    return phone


def _id_number(value, _policy) -> str:
    number = half_width(value).upper()
    if number and not is_id_number(number):
        message = N_("This ID-card number is not valid (check digit)")
        raise Invalid([Problem("id_number", message)])
    return number


def _remeasure(value, policy) -> float | None:
    if value in (None, ""):
        return None
    return parse_temperature(value, policy, "remeasure_temperature")


# Each visitor-check field a person may enter or correct, with the rule that cleans it.
VISITOR_FIELDS = {
    "name": _name,
    "phone": _phone,
    "id_number": _id_number,
    "purpose": lambda value, _policy: str(value or "").strip()[:100],
    "temperature": lambda value, policy: parse_temperature(value, policy),
    "remeasure_temperature": _remeasure,
    "symptoms": lambda value, _policy: clean_symptoms(value),
    "symptoms_other": lambda value, _policy: str(value or "").strip()[:100],
    "travel_or_contact": lambda value, _policy: value in ("yes", "on", "1", True),
}


def clean_fields(values: dict, names, policy: Policy) -> dict:
    """The named fields of `values`, each cleaned by its rule; raises Invalid naming every
    bad field at once."""
    cleaned, problems = {}, []
    for name in names:
        try:
            cleaned[name] = VISITOR_FIELDS[name](values.get(name), policy)
        except Invalid as bad:
            problems.extend(bad.problems)
    if problems:
        raise Invalid(problems)
    return cleaned


SEVERITY = {
    CheckStatus.normal: 0,
    CheckStatus.cleared: 1,
    CheckStatus.remeasure: 2,
    CheckStatus.held: 3,
}


def visitor_status(check: dict, policy: Policy) -> CheckStatus:
    """The status a visitor check's readings and answers call for (SPEC rule 3)."""
    symptoms = clean_symptoms(check.get("symptoms") or [])
    status = first_reading_status(
        check["temperature"], symptoms, bool(check.get("travel_or_contact")), policy
    )
    if status == CheckStatus.remeasure and check.get("remeasure_temperature") is not None:
        return remeasure_status(check["remeasure_temperature"], policy)
    return status
