"""The sync protocol through HTTP: enrollment, push answers per entry, replays, limits,
clock skew, pull with a cursor."""

import datetime as dt
import uuid

import pytest

from server.accounts.store import DatabaseStore
from server.audit.service import Actor
from server.checks.tables import VisitorCheck
from server.devices import service as devices
from sync.ids import new_entry_id
from sync.tables import AppliedMutation
from tests.http.conftest import log_in
from tests.support import assert_applied_once

ADMIN = Actor(username="admin")


def now_iso(delta: dt.timedelta = dt.timedelta()) -> str:
    return (dt.datetime.now(dt.UTC) + delta).isoformat()


def visitor_create(entity=None, **fields) -> dict:
    return {
        "id": str(new_entry_id()),
        "kind": "visitor_check.create",
        "schema": 1,
        "seq": 1,
        "captured_at": now_iso(),
        "entity_id": str(entity or new_entry_id()),
        "base_version": None,
        "fields": {"name": "离线访客", "phone": "13800001234", "temperature": 36.5, **fields},
    }


def remeasure(entity, temperature) -> dict:
    return {
        "id": str(new_entry_id()),
        "kind": "visitor_check.remeasure",
        "seq": 2,
        "captured_at": now_iso(),
        "entity_id": str(entity),
        "fields": {"temperature": temperature},
    }


async def enrolled_token(anonymous, name="入口1号") -> tuple[str, str]:
    enrollment = await devices.create_device(name, ADMIN)
    response = await anonymous.post("/sync/enroll", json={"code": enrollment.code.lower()})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["device"], body["token"]


@pytest.fixture
async def phone(anonymous):
    device, token = await enrolled_token(anonymous)
    anonymous.headers["authorization"] = f"Device {token}"
    anonymous.device = device
    return anonymous


async def push(client, *mutations):
    response = await client.post("/sync/push", json={"mutations": list(mutations)})
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def test_an_enrollment_code_works_once(anonymous):
    enrollment = await devices.create_device("一次性", ADMIN)
    first = await anonymous.post("/sync/enroll", json={"code": enrollment.code})
    again = await anonymous.post("/sync/enroll", json={"code": enrollment.code})
    assert first.status_code == 201 and again.status_code == 400
    assert again.json()["error"] == "bad_code"


async def test_a_body_that_is_not_json_is_a_bad_code_not_a_server_error(anonymous):
    response = await anonymous.post("/sync/enroll", data={"code": "ABCD1234"})
    assert response.status_code == 400 and response.json()["error"] == "bad_code"
    await DatabaseStore().delete("enroll-fail:127.0.0.1")


async def test_a_batch_is_answered_entry_by_entry(phone):
    good, abnormal = visitor_create(), visitor_create(temperature="38.3", name="发热")
    bad = visitor_create(phone="123", name="号码错")
    results = await push(phone, good, abnormal, remeasure(abnormal["entity_id"], 38.6), bad)
    assert [r["status"] for r in results] == ["applied", "applied", "applied", "rejected"]
    assert results[2]["row"]["status"] == "held"
    assert "phone" in results[3]["errors"]
    stored = await VisitorCheck.select(VisitorCheck.device, VisitorCheck.status).where(
        VisitorCheck.id.is_in([good["entity_id"], abnormal["entity_id"], bad["entity_id"]])
    )
    assert sorted(r["status"] for r in stored) == ["held", "normal"]
    assert {r["device"] for r in stored} == {phone.device}


async def test_a_replayed_batch_changes_nothing(phone):
    batch = [visitor_create(), visitor_create(phone="1")]
    first = await push(phone, *batch)
    again = await push(phone, *batch)
    assert [r["status"] for r in first] == ["applied", "rejected"]
    assert [r["status"] for r in again] == ["duplicate", "rejected"]
    assert again[0]["version"] == first[0]["version"]
    await assert_applied_once([batch[0]])
    assert await AppliedMutation.count().where(AppliedMutation.id == batch[1]["id"]) == 1


async def test_the_same_mutation_twice_in_one_batch_is_stored_once(phone):
    mutation = visitor_create()
    results = await push(phone, mutation, mutation)
    assert [r["status"] for r in results] == ["applied", "duplicate"]


async def test_shape_errors_are_rejected_alone(phone):
    ok = visitor_create()
    results = await push(
        phone,
        {"id": "x", "kind": "visitor_check.create"},
        "not an object",
        {**visitor_create(), "kind": "no_such.kind"},
        ok,
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert results[0]["id"] == "x" and results[0]["reason"]


async def test_a_remeasure_whose_first_reading_never_arrived_is_rejected(phone):
    results = await push(phone, remeasure(new_entry_id(), 38.0))
    assert results[0]["status"] == "rejected"


async def test_capture_time_in_the_future_is_flagged(phone):
    mutation = {**visitor_create(), "captured_at": now_iso(dt.timedelta(hours=2))}
    results = await push(phone, mutation)
    assert results[0]["clock_flag"] == "future"
    stored = (
        await VisitorCheck.select(VisitorCheck.clock_flag)
        .where(VisitorCheck.id == mutation["entity_id"])
        .first()
    )
    assert stored["clock_flag"] == "future"


async def test_every_answer_carries_the_server_time(phone):
    response = await phone.post("/sync/push", json={"mutations": []})
    server_time = dt.datetime.fromisoformat(response.json()["server_time"])
    assert abs(server_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


async def test_limits_are_answered_clearly(phone):
    too_many = await phone.post("/sync/push", json={"mutations": [{}] * 1001})
    assert too_many.status_code == 413 and too_many.json()["error"] == "batch_too_large"
    huge = await phone.post(
        "/sync/push",
        content=b'{"mutations": ["' + b"x" * 5_000_000 + b'"]}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    garbage = await phone.post(
        "/sync/push", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 400


async def test_without_a_token_or_login_the_push_is_401(anonymous):
    response = await anonymous.post("/sync/push", json={"mutations": [visitor_create()]})
    assert response.status_code == 401 and response.json()["error"] == "login_required"


async def test_a_revoked_phone_is_refused_and_nothing_is_stored(phone):
    await devices.revoke(phone.device, ADMIN)
    mutation = visitor_create()
    response = await phone.post("/sync/push", json={"mutations": [mutation]})
    assert response.status_code == 401
    assert response.json()["error"] == "device_revoked"
    assert await VisitorCheck.count().where(VisitorCheck.id == mutation["entity_id"]) == 0


async def test_a_session_push_needs_the_sync_header(anonymous):
    await log_in(anonymous, "desk")
    without = await anonymous.post("/sync/push", json={"mutations": [visitor_create()]})
    assert without.status_code == 401
    with_header = await anonymous.post(
        "/sync/push", json={"mutations": [visitor_create()]}, headers={"x-hallwatch-sync": "1"}
    )
    assert with_header.status_code == 200
    assert with_header.json()["results"][0]["status"] == "applied"


async def test_pull_snapshot_then_changes_since_the_cursor(phone):
    first_mutation = visitor_create(name="先到")
    await push(phone, first_mutation)
    first = (await phone.get("/sync/pull")).json()
    assert first["reset"] is False and first["device"] == phone.device
    names = [e["row"]["name"] for e in first["entries"]]
    assert "先到" in names
    assert all("****" in e["row"]["phone"] for e in first["entries"])
    reference = first["reference"]
    assert reference["policy"]["fever_threshold"] == 37.3 and reference["roster"]

    # A new entry reaches its phone in the push's answer; the feed has nothing to add.
    later = visitor_create(name="后到", temperature=37.8)
    [answer] = await push(phone, later)
    assert answer["row"]["name"] == "后到" and answer["row"]["status"] == "remeasure"
    since = f"/sync/pull?cursor={first['cursor']}&reference={reference['hash']}"
    assert (await phone.get(since)).json()["entries"] == []
    # A change to a record the phone holds comes with the next pull.
    await push(phone, remeasure(later["entity_id"], 38.6))
    second = (await phone.get(since)).json()
    assert [e["row"]["name"] for e in second["entries"]] == ["后到"]
    assert second["entries"][0]["row"]["status"] == "held"
    assert "reference" not in second
    third = (await phone.get(f"/sync/pull?cursor={second['cursor']}")).json()
    assert third["entries"] == []


async def test_other_devices_entries_are_not_pulled(phone, anonymous):
    other_device, other_token = await enrolled_token(anonymous, "入口2号")
    start = (await phone.get("/sync/pull")).json()["cursor"]
    mutation = visitor_create(name="别的手机")
    response = await phone.post(
        "/sync/push",
        json={"mutations": [mutation]},
        headers={"authorization": f"Device {other_token}"},
    )
    assert response.json()["results"][0]["status"] == "applied"
    mine = (await phone.get(f"/sync/pull?cursor={start}")).json()
    assert "别的手机" not in [e["row"]["name"] for e in mine["entries"]]


async def test_a_cursor_behind_the_pruned_feed_resets(phone):
    from sync import feed

    await push(phone, visitor_create())
    start = (await phone.get("/sync/pull")).json()["cursor"]
    pruned = visitor_create(name="修剪前", temperature=38.0)
    await push(phone, pruned, remeasure(pruned["entity_id"], 37.0))  # a change in the feed
    await feed.prune(dt.datetime.now(dt.UTC) + feed.RETENTION + dt.timedelta(days=1))
    again = (await phone.get(f"/sync/pull?cursor={start}")).json()
    assert again["reset"] is True
    assert "修剪前" in [e["row"]["name"] for e in again["entries"]]


async def test_enroll_failures_are_throttled(anonymous):
    for _ in range(10):
        await anonymous.post("/sync/enroll", json={"code": str(uuid.uuid4())[:8]})
    response = await anonymous.post("/sync/enroll", json={"code": "whatever"})
    assert response.status_code == 429
    await DatabaseStore().delete("enroll-fail:127.0.0.1")


def correction(entity, base_version, **fields) -> dict:
    return {
        "id": str(new_entry_id()),
        "kind": "visitor_check.update",
        "seq": 3,
        "captured_at": now_iso(),
        "entity_id": str(entity),
        "base_version": base_version,
        "fields": fields,
    }


async def test_a_correction_merges_and_a_relaxing_one_goes_to_the_office(phone):
    normal, fever = visitor_create(), visitor_create(temperature=38.4, name="高温")
    await push(phone, normal, fever)
    fixed, relaxed = await push(
        phone,
        correction(normal["entity_id"], 1, name="改正后"),
        correction(fever["entity_id"], 1, temperature=36.4),
    )
    assert fixed["status"] == "applied" and fixed["row"]["name"] == "改正后"
    assert relaxed["status"] == "conflict" and relaxed["row"]["temperature"] == 38.4
    no_base = {**correction(normal["entity_id"], 1, name="x"), "base_version": None}
    assert (await push(phone, no_base))[0]["status"] == "rejected"


async def test_pushed_entries_are_audited_and_in_the_feed_like_form_entries(phone):
    from server.audit import service as audit

    mutation = visitor_create(name="审计", purpose="A01 企业开办")
    result = (await push(phone, mutation))[0]
    assert result["row"]["window_code"] == "A01"
    trail = await audit.history("visitor_check", mutation["entity_id"])
    assert [h["action"] for h in trail] == ["create"]
    assert trail[0]["device"] == phone.device and trail[0]["after"]["name"] == "审计"
    pulled = (await phone.get("/sync/pull")).json()
    assert "审计" in [e["row"]["name"] for e in pulled["entries"]]


async def test_a_login_that_expires_mid_queue_loses_nothing(anonymous):
    await log_in(anonymous, "desk")
    queue = [visitor_create(name=f"排队{n}") for n in range(3)]
    sync_header = {"x-hallwatch-sync": "1"}
    first = await anonymous.post("/sync/push", json={"mutations": queue[:1]}, headers=sync_header)
    assert first.json()["results"][0]["status"] == "applied"
    anonymous.cookies.delete("hallwatch_session")  # the login expired on the server's side
    refused = await anonymous.post("/sync/push", json={"mutations": queue[1:]}, headers=sync_header)
    assert refused.status_code == 401
    assert (
        await VisitorCheck.count().where(VisitorCheck.id.is_in([m["entity_id"] for m in queue[1:]]))
        == 0
    )
    await log_in(anonymous, "desk")
    again = await anonymous.post("/sync/push", json={"mutations": queue}, headers=sync_header)
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "applied", "applied"]


async def test_the_ledger_keeps_no_full_numbers(phone):
    created = visitor_create(phone="13955556666", id_number="11010519491231002X", temperature=38.0)
    again = remeasure(created["entity_id"], 37.0)  # answered with the whole row, ledgered
    assert [r["status"] for r in await push(phone, created, again)] == ["applied", "applied"]
    stored = (
        await AppliedMutation.select(AppliedMutation.result)
        .where(AppliedMutation.id == again["id"])
        .first()
    )
    assert "139****6666" in str(stored["result"])
    assert "13955556666" not in str(stored["result"])
    assert "11010519491231002X" not in str(stored["result"])


async def test_a_device_push_writes_no_session(phone):
    from server.accounts.tables import SessionEntry

    before = await SessionEntry.count()
    response = await phone.post("/sync/push", json={"mutations": [visitor_create()]})
    assert response.status_code == 200
    assert "hallwatch_session" not in response.headers.get("set-cookie", "")
    assert await SessionEntry.count() == before
