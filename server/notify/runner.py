"""The background work each app process starts: the scheduler and the delivery worker. With
`hallwatch serve --workers N` every process runs both; the leases in the database make each
job run once and each delivery go out once."""

from __future__ import annotations

import asyncio

from server.notify import scheduler, worker
from server.notify.jobs import JOBS


def start() -> list[asyncio.Task]:
    owner = worker.worker_id()
    return [
        asyncio.create_task(scheduler.forever(JOBS, owner), name="scheduler"),
        asyncio.create_task(worker.forever(owner), name="notification-delivery"),
    ]
