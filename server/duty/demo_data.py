"""Duty for the demo, from this week's Monday to a week from today: a leader and the duty
phone every day, the hall and every window during opening hours, with one window left empty
on Friday afternoons so the gap check has something to show. Each person serves one post a
day (the roster refuses overlapping shifts), and nobody staying home or absent sick is
planned. Ids derive from the demo's keys: seeding twice adds nothing."""

from __future__ import annotations

import datetime as dt
import uuid

from server import clock
from server.audit.service import SYSTEM
from server.declarations.status import states_of
from server.duty import rules
from server.duty.service import add_shift
from server.duty.tables import Post
from server.org.tables import GroupRole, Person, Window

DUTY_PHONE = "0632-5512345"
GAP_WINDOW, GAP_WEEKDAY = "D02", 5  # 发票申领, Friday afternoons


async def seed_duty(namespace: uuid.UUID) -> None:
    monday = rules.week_of(clock.today())
    span = (clock.today() - monday).days + 7
    leaders = await Person.select(Person.id).where(
        Person.group_role.is_in([GroupRole.leader, GroupRole.deputy])
    )
    people = await Person.select(Person.id, Person.department).where(Person.active == True)  # noqa: E712
    by_department: dict = {}
    for p in people:
        by_department.setdefault(p["department"], []).append(p["id"])
    windows = await Window.select(Window.code, Window.department).order_by(Window.code)
    hall_staff = by_department.get(
        next((w["department"] for w in windows if w["code"].startswith("G")), None), []
    )
    away = set(await states_of([p["id"] for p in people]))
    for n in range(span):
        day = monday + dt.timedelta(days=n)
        taken = set(away)
        plan = [(Post.leader, "", leaders[n % len(leaders)]["id"], "", "")]
        plan.append((Post.phone, "", _pick(hall_staff, n, taken), "", ""))
        if day.isoweekday() in (1, 2, 3, 4, 5):
            plan.append((Post.hall, "", _pick(hall_staff, n, taken), "", ""))
            for w in windows:
                staff = _pick(by_department[w["department"]], n, taken)
                end = "12:00" if (w["code"], day.isoweekday()) == (GAP_WINDOW, GAP_WEEKDAY) else ""
                plan.append((Post.window, w["code"], staff, "", end))
        for post, window, person, start, end in plan:
            if person is None:  # nobody left that day: the gap check shows the post
                continue
            form = {"day": day.isoformat(), "post": post.value, "window": window}
            form |= {"person": str(person), "start": start, "end": end, "phone": DUTY_PHONE}
            entry = uuid.uuid5(namespace, f"duty/{day}/{post.value}/{window}")
            await add_shift(entry, form, SYSTEM, scope=None)


def _pick(candidates: list[int], n: int, taken: set[int]) -> int | None:
    """The first of `candidates`, in turn from the n-th, not taken yet that day; now taken."""
    for k in range(len(candidates)):
        person = candidates[(n + k) % len(candidates)]
        if person not in taken:
            taken.add(person)
            return person
    return None
