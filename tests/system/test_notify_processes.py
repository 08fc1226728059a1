"""`hallwatch serve --workers 2`: two real app processes on one database each run the
scheduler and the delivery worker; every scheduled job runs once and every outbox message is
delivered once (the racing that matters on PostgreSQL)."""

import asyncio
import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from server import clock, demo
from server.audit.service import Actor
from server.incidents.service import raise_incident
from server.notify.tables import OutboxMessage, OutboxStatus, ScheduledJob
from tests.servers import free_port, hallwatch_command, stop, wait_until_up
from tests.support import DEMO_PASSWORD, reset_database

INCIDENTS = 12


class Robot(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        assert body["msgtype"] == "text"
        Robot.received.append(self.headers["x-hallwatch-delivery"])
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0}')

    def log_message(self, *args):
        pass  # keep the receiver's access log out of the test output


async def test_two_processes_run_each_job_once_and_deliver_each_message_once(tmp_path):
    await reset_database()
    departments = await demo.seed_organisation(lambda _: None)
    await demo.seed_users(DEMO_PASSWORD, departments)
    robot = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=robot.serve_forever, daemon=True).start()
    os.environ["HALLWATCH_WEBHOOK_URL"] = f"http://127.0.0.1:{robot.server_port}/hook"
    try:
        for n in range(INCIDENTS):
            await raise_incident("manual", None, f"访客{n}", "", "", clock.now(), Actor("office"))
    finally:
        del os.environ["HALLWATCH_WEBHOOK_URL"]
    assert await OutboxMessage.count() == INCIDENTS

    port, log = free_port(), tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [hallwatch_command(), "serve", "--port", str(port), "--workers", "2"],
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(Robot.received) < INCIDENTS:
            await asyncio.sleep(0.2)
        await asyncio.sleep(4)  # longer than a worker's poll: a double send would show now
        jobs = {r["name"]: r for r in await ScheduledJob.select()}
    finally:
        stop(process)
        robot.shutdown()
    assert sorted(Robot.received) == sorted(
        str(r["id"]) for r in await OutboxMessage.select(OutboxMessage.id)
    ), log.read_text()[-3000:]
    sent = OutboxMessage.status == OutboxStatus.sent
    assert await OutboxMessage.count().where(sent) == INCIDENTS
    assert jobs["housekeeping"]["runs"] == 1, log.read_text()[-3000:]
    assert jobs["incident_overdue"]["runs"] == 1
