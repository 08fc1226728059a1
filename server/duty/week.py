"""The week view (值班表) as rows of posts × seven days, built from plain rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from server.duty.tables import Post


@dataclass
class Row:
    """One post's line of the week: its shifts per day, and the days it has a gap."""

    post: str
    window_id: int | None = None
    window_code: str = ""
    window_name: str = ""
    cells: list[list[dict]] = field(default_factory=list)
    gap_days: set = field(default_factory=set)
    # day → the gaps left by someone planned there who may not come (at home, sick)
    gap_notes: dict = field(default_factory=dict)


def week_days(monday: dt.date) -> list[dt.date]:
    return [monday + dt.timedelta(days=n) for n in range(7)]


def build_rows(
    monday: dt.date, shifts: list[dict], windows: list[dict], gaps: list, with_leader: bool
) -> list[Row]:
    """Leader (for the whole hall), phone and hall first, then each window in code order;
    a window with no shift this week still gets its row, so its gaps show."""
    days = week_days(monday)
    rows: dict[tuple, Row] = {}
    if with_leader:
        rows[(Post.leader, None)] = Row(Post.leader.value)
    rows[(Post.phone, None)] = Row(Post.phone.value)
    rows[(Post.hall, None)] = Row(Post.hall.value)
    for w in sorted(windows, key=lambda w: w["code"]):
        rows[(Post.window, w["id"])] = Row(Post.window.value, w["id"], w["code"], w["name"])
    for s in shifts:
        slot = (s["post"], s["window"] if s["post"] == Post.window else None)
        if slot not in rows:
            rows[slot] = Row(s["post"], s["window"], s["window_code"] or "", s["window_name"] or "")
    for row in rows.values():
        row.cells = [[] for _ in days]
    for s in shifts:
        slot = (s["post"], s["window"] if s["post"] == Post.window else None)
        rows[slot].cells[(s["day"] - monday).days].append(s)
    by_code = {r.window_code: r for r in rows.values() if r.post == Post.window}
    for gap in gaps:
        if gap.post == Post.window and gap.window_code in by_code:
            row = by_code[gap.window_code]
            row.gap_days.add(gap.day)
            notes = row.gap_notes.setdefault(gap.day, [])
            if gap.reason and all(n.person_name != gap.person_name for n in notes):
                notes.append(gap)
        elif (gap.post, None) in rows and gap.post != Post.window:
            rows[(gap.post, None)].gap_days.add(gap.day)
    return sorted(rows.values(), key=_order)


def _order(row: Row) -> tuple:
    rank = {Post.leader: 0, Post.phone: 1, Post.hall: 2, Post.window: 3}
    return (rank[Post(row.post)], row.window_code)
