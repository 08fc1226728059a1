"""Hypothesis against POST /sync/push through the app, as an enrolled phone: arbitrary JSON
shapes, strings, numbers, huge and unicode values, missing fields mixed into batches of
well-formed mutations. The server never answers 5xx, every entry gets exactly one answer in
order, a bad entry is rejected alone while the rest of the batch is stored, and replaying the
same batch changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from server.checks.tables import VisitorCheck
from sync.tables import AppliedMutation
from tests.http.conftest import test_client as app_client
from tests.http.test_sync import enrolled_token, visitor_create

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
)

TEXT = st.text(max_size=40) | st.text(min_size=2_000, max_size=4_000) | st.just("\u0000\ud7ff")
NUMBERS = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)  # JSON has no NaN or Infinity; msgspec refuses them
    | st.sampled_from([0, -1, 1e308, 2**63, 36.5, 45.1])
)
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
MUTATION_KEYS = ["id", "kind", "schema", "seq", "captured_at", "entity_id", "base_version"]


@st.composite
def damaged_mutations(draw) -> object:
    """A real mutation with a field dropped or replaced by anything, or any JSON at all."""
    mutation = visitor_create()
    choice = draw(st.sampled_from(["drop", "replace", "field", "anything"]))
    if choice == "anything":
        return draw(JSON)
    key = draw(st.sampled_from(MUTATION_KEYS))
    if choice == "drop":
        mutation.pop(key)
    elif choice == "replace":
        mutation[key] = draw(JSON)
    else:
        field = draw(st.sampled_from(["name", "phone", "temperature", "purpose", "id_number"]))
        mutation["fields"][field] = draw(JSON)
    return mutation


@pytest.fixture(scope="module")
async def phone(app, seeded):
    async with app_client(app) as client:
        _, token = await enrolled_token(client, "模糊测试")
        client.headers["authorization"] = f"Device {token}"
        yield client


async def _push(phone, batch: list) -> list[dict]:
    response = await phone.post("/sync/push", json={"mutations": batch})
    assert response.status_code == 200, response.text[:500]
    results = response.json()["results"]
    assert len(results) == len(batch)  # exactly one answer per entry, in order
    return results


async def _stored(mutations: list[dict]) -> int:
    ids = [m["entity_id"] for m in mutations]
    return await VisitorCheck.count().where(VisitorCheck.id.is_in(ids))


@FUZZ
@given(damaged=st.lists(damaged_mutations(), min_size=1, max_size=4), data=st.data())
async def test_bad_entries_are_rejected_alone_and_a_replay_changes_nothing(phone, damaged, data):
    good = [visitor_create(name=f"好{n}") for n in range(2)]
    batch = data.draw(st.permutations([*good, *damaged]), label="batch")
    results = await _push(phone, batch)
    by_position = dict(zip(map(id, batch), results, strict=True))
    for mutation in good:
        answer = by_position[id(mutation)]
        assert answer["status"] == "applied" and answer["id"] == mutation["id"]
    assert {r["status"] for r in results} <= {"applied", "rejected", "duplicate"}
    for mutation in damaged:
        answer = by_position[id(mutation)]
        if answer["status"] == "rejected":
            assert answer.get("reason") or answer.get("errors")
    assert await _stored(good) == len(good)

    ledger = await AppliedMutation.count()
    stored = await VisitorCheck.count()
    again = await _push(phone, batch)
    assert [r["status"] for r in again] == [
        "duplicate" if r["status"] == "applied" else r["status"] for r in results
    ]
    assert await AppliedMutation.count() == ledger
    assert await VisitorCheck.count() == stored


@FUZZ
@given(body=JSON)
async def test_any_json_body_is_answered_without_a_server_error(phone, body):
    response = await phone.post("/sync/push", json=body)
    assert response.status_code < 500, response.text[:500]
    if not (isinstance(body, dict) and isinstance(body.get("mutations"), list)):
        assert response.status_code == 400 and response.json()["error"] == "bad_batch"


@FUZZ
@given(
    name=TEXT,
    phone_number=TEXT | NUMBERS,
    temperature=NUMBERS | TEXT,
    extra=st.dictionaries(st.text(max_size=12), SCALARS, max_size=3),
)
async def test_well_formed_entries_with_any_values_get_one_stable_answer(
    phone, name, phone_number, temperature, extra
):
    mutation = visitor_create()
    mutation["fields"] = {
        **extra,
        "name": name,
        "phone": phone_number,
        "temperature": temperature,
    }
    (first,) = await _push(phone, [mutation])
    assert first["status"] in ("applied", "rejected") and first["id"] == mutation["id"]
    (again,) = await _push(phone, [mutation])
    assert again["status"] == ("duplicate" if first["status"] == "applied" else "rejected")
    assert await _stored([mutation]) == (1 if first["status"] == "applied" else 0)
