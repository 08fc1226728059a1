"""Phones pushing over real HTTP while things go wrong: overlapping concurrent batches, and
the server process killed (SIGKILL) mid-ingest and restarted. Whatever happens, every entry
sent is stored exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import signal

import httpx
import pytest

from server import demo
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.checks.tables import VisitorCheck
from server.devices import service as devices
from tests.servers import free_port, serve, stop, wait_until_up
from tests.support import reset_database, visitor_mutation


def mutation(n: int) -> dict:
    return visitor_mutation(n, "压测")


@pytest.fixture(scope="module")
async def server(tmp_path_factory):
    """A real server process on a migrated database, restartable on the same port."""
    await reset_database()
    await demo.seed_organisation(lambda _: None)
    port, log = free_port(), tmp_path_factory.mktemp("faults") / "serve.log"
    state = {"process": serve(port, dict(os.environ), log), "url": f"http://127.0.0.1:{port}"}
    wait_until_up(f"{state['url']}/healthz", state["process"], log)

    def restart():
        state["process"] = serve(port, dict(os.environ), log)

    state["restart"], state["log"] = restart, log
    yield state
    stop(state["process"])


async def enrolled(n: int) -> list[str]:
    tokens = []
    for i in range(n):
        code = (await devices.create_device(f"压测{i}", Actor(username="admin"))).code
        tokens.append((await devices.enroll(code))[1])
    return tokens


FAILED_SENDS: list[str] = []


async def push_until_answered(client: httpx.AsyncClient, token: str, batch: list[dict]) -> list:
    """Send `batch` until every entry has a final answer, as a phone's outbox does: resend
    on a lost connection or a 5xx, and resend only the entries answered `retry`."""
    pending, answers = list(batch), []
    while pending:
        try:
            response = await client.post(
                "/sync/push",
                json={"mutations": pending},
                headers={"authorization": f"Device {token}"},
            )
        except httpx.TransportError as lost:
            FAILED_SENDS.append(type(lost).__name__)
            await asyncio.sleep(0.2)
            continue
        if response.status_code >= 500:
            FAILED_SENDS.append(f"HTTP {response.status_code}")
            await asyncio.sleep(0.2)
            continue
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        answers += [r for r in results if r["status"] != "retry"]
        retry = {r["id"] for r in results if r["status"] == "retry"}
        pending = [m for m in pending if m["id"] in retry]
    return answers


async def stored(batches: list[list[dict]]) -> tuple[int, int]:
    """Checks stored and creations audited (a mutation applied twice would be audited twice;
    a new check is its own ledger entry)."""
    entity_ids = [m["entity_id"] for b in batches for m in b]
    created = (AuditEntry.action == "create") & AuditEntry.entity_id.is_in(entity_ids)
    return (
        await VisitorCheck.count().where(VisitorCheck.id.is_in(entity_ids)),
        await AuditEntry.count().where(created),
    )


async def test_overlapping_batches_from_several_phones_store_each_entry_once(server):
    tokens = await enrolled(4)
    entries = [mutation(n) for n in range(240)]
    # Each phone sends a window of the entries; the windows overlap, and all go at once.
    windows = [entries[i * 40 : i * 40 + 120] for i in range(4)]
    async with httpx.AsyncClient(base_url=server["url"], timeout=60) as client:
        answers = await asyncio.gather(
            *(
                push_until_answered(client, token, window)
                for token, window in zip(tokens, windows, strict=True)
            )
        )
    statuses = [a["status"] for batch in answers for a in batch]
    assert set(statuses) <= {"applied", "duplicate"}
    assert statuses.count("applied") == 240
    assert await stored([entries]) == (240, 240)


async def test_server_killed_mid_ingest_loses_and_duplicates_nothing(server):
    tokens = await enrolled(5)
    rng = random.Random(7)
    plans = [
        [[mutation(d * 1000 + b * 40 + i) for i in range(40)] for b in range(6)] for d in range(5)
    ]

    answered = [0]

    async def phone(token, batches):
        async with httpx.AsyncClient(base_url=server["url"], timeout=30) as client:
            for batch in batches:
                await push_until_answered(client, token, batch)
                answered[0] += 1
                await asyncio.sleep(rng.random() * 0.05)

    async def killer():
        # Kill while most batches are still to come, however fast the database is.
        for after in (3, 15):
            while answered[0] < after:
                await asyncio.sleep(0.01)
            server["process"].send_signal(signal.SIGKILL)
            server["process"].wait()
            server["restart"]()

    FAILED_SENDS.clear()
    await asyncio.gather(killer(), *(phone(t, p) for t, p in zip(tokens, plans, strict=True)))
    assert FAILED_SENDS, "the kills never cut a push: the test proved nothing"
    sent = [batch for plan in plans for batch in plan]
    total = sum(len(b) for b in sent)
    assert await stored(sent) == (total, total)
    wait_until_up(f"{server['url']}/healthz", server["process"], server["log"])
