"""The zero report's words, one place for pages and exports (msgids, translated when shown)."""

from server.i18n import N_, translate

STATES = {
    "due": N_("Due"),
    "on_time": N_("On time"),
    "late": N_("Late"),
    "missed": N_("Missed"),
    "not_applicable": N_("Not applicable"),
}
# A report not in yet, past its deadline or the day's end, reads differently from a late one.
NOT_IN = {"late": N_("Late, not in yet"), "missed": N_("Missed, nothing reported")}
COUNTS = {
    "on_site": N_("On site"),
    "at_home": N_("At home"),
    "on_leave": N_("On leave"),
    "fever": N_("Fever"),
    "suspected": N_("Suspected"),
    "close_contacts": N_("Close contacts"),
}
ROUNDS = {"am": N_("Morning"), "pm": N_("Afternoon"), "day": N_("Daily")}
NIL = N_("Nil report")
ON_BEHALF = N_("by the office on the department's behalf")


def round_label(locale: str, round_: str, rounds: int) -> str:
    """A day with one round calls its report the daily one."""
    return translate(locale, ROUNDS["day" if rounds == 1 else round_])


def state_label(locale: str, row: dict) -> str:
    """The state of a day_status row in words, saying a nil report is one."""
    if row["report"] is None and row["state"] in NOT_IN:
        return translate(locale, NOT_IN[row["state"]])
    text = translate(locale, STATES[row["state"]])
    return f"{text} · {translate(locale, NIL)}" if row["nil"] else text
