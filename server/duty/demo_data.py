"""Duty for the demo, from this week's Monday to a week from today: a leader and the duty
phone every day, the hall and every window during opening hours, with one window left empty
on Friday afternoons so the gap check has something to show. Ids derive from the demo's
keys: seeding twice adds nothing."""

from __future__ import annotations

import datetime as dt
import uuid

from server import clock
from server.audit.service import SYSTEM
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
    for n in range(span):
        day = monday + dt.timedelta(days=n)
        plan = [(Post.leader, "", leaders[n % len(leaders)]["id"], "", "")]
        plan.append((Post.phone, "", hall_staff[n % len(hall_staff)], "", ""))
        if day.isoweekday() in (1, 2, 3, 4, 5):
            plan.append((Post.hall, "", hall_staff[(n + 1) % len(hall_staff)], "", ""))
            for w in windows:
                staff = by_department[w["department"]]
                end = "12:00" if (w["code"], day.isoweekday()) == (GAP_WINDOW, GAP_WEEKDAY) else ""
                plan.append((Post.window, w["code"], staff[n % len(staff)], "", end))
        for post, window, person, start, end in plan:
            form = {"day": day.isoformat(), "post": post.value, "window": window}
            form |= {"person": str(person), "start": start, "end": end, "phone": DUTY_PHONE}
            entry = uuid.uuid5(namespace, f"duty/{day}/{post.value}/{window}")
            await add_shift(entry, form, SYSTEM, scope=None)
