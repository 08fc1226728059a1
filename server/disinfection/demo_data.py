"""Demo disinfection points (the hall's usual ones) and today's rounds so far, some points
behind schedule so the board shows red. Ids derive from the demo's keys: seeding twice
stores nothing twice."""

from __future__ import annotations

import datetime as dt
import uuid

from server import clock
from server.audit.service import SYSTEM
from server.demo import DEMO_NAMESPACE
from server.disinfection import service
from server.disinfection.schedule import parse_hhmm
from server.policy.service import load_policy

# name, area, times per day, agent, concentration, rounds done by the demo today
DEMO_POINTS = [
    ("大厅地面", "一楼大厅", 2, "含氯消毒液", "500 mg/L", 1),
    ("办事窗口台面", "一楼大厅", 4, "75%酒精", "75%", 2),
    ("电梯按钮", "电梯", 4, "75%酒精", "75%", 0),
    ("卫生间", "一楼", 3, "含氯消毒液", "1000 mg/L", 1),
    ("门把手", "出入口", 4, "75%酒精", "75%", 1),
    ("自助终端", "一楼大厅", 2, "75%酒精", "75%", 0),
]  # fmt: skip
DISINFECTORS = ("物业 张师傅", "物业 李阿姨")


async def seed_disinfection() -> None:
    policy = await load_policy()
    today = clock.today()
    opens = dt.datetime.combine(today, parse_hhmm(policy.hall_opens), tzinfo=clock.hall_zone())
    for name, area, times, agent, strength, done in DEMO_POINTS:
        point_id = uuid.uuid5(DEMO_NAMESPACE, f"disinfection/{name}")
        form = {"name": name, "area": area, "times_per_day": str(times)}
        form.update(agent=agent, concentration=strength)
        await service.save_point(point_id, form, SYSTEM)
        for n in range(done):
            at = opens + dt.timedelta(minutes=20 + 90 * n)
            if at > clock.now():
                break
            fields = {"point": str(point_id), "done_by": DISINFECTORS[n % 2]}
            round_id = uuid.uuid5(DEMO_NAMESPACE, f"disinfection/{name}/{today}/{n}")
            await service.record_round(round_id, fields, SYSTEM, done_at=at)
