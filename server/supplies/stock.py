"""The stock rules as pure functions: form fields cleaned, the balance from the ledger, an entry
the stock cannot cover on its day (or on a later one) refused, low stock and days of stock left.

Messages are English msgids; the pages translate them."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

from server.checks.rules import Invalid, Problem
from server.i18n import N_
from server.supplies.tables import MovementKind

# The rate of use is what was issued over the last week (today and the six days before),
# divided by the days of it the item was in use.
USE_WINDOW_DAYS = 7
# Stock that will not last this many days at the current rate is low whatever the item's
# low-stock level: a purchase takes days to arrive, so a level set for a quiet week says 充足
# beside two days of stock in a busy one.
RESTOCK_DAYS = 7
MAX_QUANTITY = 1_000_000
MONEY = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


def balance(quantities: Iterable[int]) -> int:
    """The stock of an item: the sum of its signed movements, nothing else."""
    return sum(quantities)


def lowest_from(ledger: Iterable[tuple[dt.date, int]], day: dt.date) -> tuple[dt.date, int]:
    """The lowest balance from the end of `day` on, and the day it is reached: `day` itself
    (after that day's entries, where a new entry for it lands) or a later day of the ledger.
    `ledger` is the item's (day, signed quantity) lines in the order they were entered."""
    lines = sorted(ledger, key=lambda line: line[0])  # stable: a day's lines as entered
    running = sum(quantity for when, quantity in lines if when <= day)
    lowest = (day, running)
    for when, quantity in lines:
        if when > day:
            running += quantity
            if running < lowest[1]:
                lowest = (when, running)
    return lowest


# (kind, the lowest balance falls on a later day) → what the office is told
_TOO_FEW = {
    (MovementKind.issue, False): N_(
        "As of %(day)s, only %(balance)s %(unit)s are in stock: issue at most that many."
    ),
    (MovementKind.issue, True): N_(
        "On %(day)s, later in the ledger, only %(balance)s %(unit)s are left: "
        "issue at most that many."
    ),
    (MovementKind.adjustment, False): N_(
        "As of %(day)s, only %(balance)s %(unit)s are in stock: "
        "a count cannot take away more than that."
    ),
    (MovementKind.adjustment, True): N_(
        "On %(day)s, later in the ledger, only %(balance)s %(unit)s are left: "
        "a count cannot take away more than that."
    ),
}


def check_movement(
    ledger: Iterable[tuple[dt.date, int]],
    kind: MovementKind,
    day: dt.date,
    quantity: int,
    unit: str = "",
) -> None:
    """Refuse an entry dated `day` that would leave less than nothing on that day or on any
    later day of the ledger: an issue (or a count, 盘点调整) cannot take away what was not
    there yet, nor what a later issue already took. A purchase is always taken."""
    if quantity >= 0:
        return
    when, lowest = lowest_from(ledger, day)
    if lowest + quantity >= 0:
        return
    kind = MovementKind.adjustment if kind == MovementKind.adjustment else MovementKind.issue
    message = _TOO_FEW[(kind, when != day)]
    params = {"balance": max(lowest, 0), "unit": unit, "day": when.isoformat()}
    raise Invalid([Problem("quantity", message, params)])


def stock_state(current: int, low_stock: int, days_left: int | None = None) -> str:
    """'out' at zero or below; 'low' at or below the item's low-stock level, or when it
    lasts fewer than RESTOCK_DAYS days at the current rate (`days_left`, None: no rate);
    else 'ok'."""
    if current <= 0:
        return "out"
    running_out = days_left is not None and days_left < RESTOCK_DAYS
    return "low" if current <= low_stock or running_out else "ok"


def days_in_use(
    first_issue: dt.date | None, today: dt.date, window_days: int = USE_WINDOW_DAYS
) -> int:
    """The days of the window the item has been in use: from its first issue ever (or the
    window's first day, if that came before) to today, at least 1. A new item issued only
    today has one day of use behind it, not a week."""
    if first_issue is None:
        return 1
    return max(1, min(window_days, (today - first_issue).days + 1))


def days_left(current: int, used_in_window: int, days_in_use: int = USE_WINDOW_DAYS) -> int | None:
    """Whole days the stock lasts at the average daily use over the days it was in use,
    rounded down so the office reorders early; None when nothing was used (no rate to
    project)."""
    if current <= 0:
        return 0
    if used_in_window <= 0:
        return None
    return math.floor(current * max(days_in_use, 1) / used_in_window)


def parse_quantity(text, signed: bool = False) -> int:
    """A whole number of units: positive, or for an adjustment any non-zero signed number."""
    raw = str(text or "").strip().replace(" ", "")
    try:
        value = int(raw)
    except ValueError:
        raise Invalid([Problem("quantity", N_("Enter a whole number, e.g. 200"))]) from None
    if (value == 0 if signed else value <= 0) or abs(value) > MAX_QUANTITY:
        message = (
            N_("Enter a number other than 0: negative takes stock away, positive adds it")
            if signed
            else N_("Enter a number from 1 to %(max)s")
        )
        raise Invalid([Problem("quantity", message, {"max": MAX_QUANTITY})])
    return value


def parse_day(text, today: dt.date) -> dt.date:
    """The day it happened: empty means today; a day still to come is refused."""
    raw = str(text or "").strip()
    if not raw:
        return today
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise Invalid([Problem("day", N_("Enter the date as YYYY-MM-DD"))]) from None
    if day > today:
        raise Invalid([Problem("day", N_("The date cannot be in the future"))])
    return day


def parse_cost(text) -> int | None:
    """A cost in yuan with at most two decimals, as 分; empty means not known (a donation)."""
    raw = str(text or "").strip().replace(",", "").removeprefix("¥")
    if not raw:
        return None
    if not MONEY.match(raw):
        raise Invalid([Problem("cost", N_("Enter the cost in yuan, e.g. 1250.50"))])
    yuan, _, fen = raw.partition(".")
    return int(yuan) * 100 + int(fen.ljust(2, "0"))


def _text(form: dict, name: str, length: int) -> str:
    return str(form.get(name) or "").strip()[:length]


def _optional_id(form: dict, name: str) -> int | None:
    value = str(form.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def clean_item(form: dict) -> dict:
    """Name, unit and low-stock level of an item; raises Invalid naming every bad field."""
    problems = []
    name, unit = _text(form, "name", 50), _text(form, "unit", 10)
    if not name:
        problems.append(Problem("name", N_("Name the item, e.g. surgical masks")))
    if not unit:
        problems.append(Problem("unit", N_("Give the unit it is counted in, e.g. pieces")))
    low = str(form.get("low_stock") or "0").strip()
    if not low.isdigit() or int(low) > MAX_QUANTITY:
        problems.append(Problem("low_stock", N_("Enter the low-stock level as a whole number")))
    if problems:
        raise Invalid(problems)
    return {"name": name, "unit": unit, "low_stock": int(low)}


def _collect(problems: list[Problem], parse, *args):
    try:
        return parse(*args)
    except Invalid as bad:
        problems.extend(bad.problems)
        return None


def clean_movement(kind: MovementKind, form: dict, today: dt.date) -> dict:
    """The fields of a purchase, an issue or an adjustment, the quantity signed for the
    ledger; raises Invalid naming every bad field at once."""
    problems: list[Problem] = []
    signed = kind == MovementKind.adjustment
    quantity = _collect(problems, parse_quantity, form.get("quantity"), signed)
    fields = {
        "day": _collect(problems, parse_day, form.get("day"), today),
        "supplier": "",
        "cost_fen": None,
        "department": None,
        "person": None,
        "receiver": "",
        "reason": _text(form, "reason", 200),
    }
    if kind == MovementKind.purchase:
        fields["supplier"] = _text(form, "supplier", 100)
        fields["cost_fen"] = _collect(problems, parse_cost, form.get("cost"))
        if not fields["supplier"]:
            problems.append(
                Problem("supplier", N_("Name the supplier (for a donation, the donor)"))
            )
    elif kind == MovementKind.issue:
        fields["department"] = _optional_id(form, "department")
        fields["person"] = _optional_id(form, "person")
        fields["receiver"] = _text(form, "receiver", 50)
        if fields["department"] is None and fields["person"] is None:
            problems.append(Problem("recipient", N_("Choose the department or the person")))
        if not fields["receiver"]:
            problems.append(Problem("receiver", N_("Enter the name of who received it")))
    elif not fields["reason"]:
        problems.append(Problem("reason", N_("Say why the stock is adjusted, e.g. a stock count")))
    if problems:
        raise Invalid(problems)
    fields["quantity"] = -quantity if kind == MovementKind.issue else quantity
    return fields
