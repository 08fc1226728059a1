"""Incidents: raised by a hold, once; the timeline's rules; the district deadline."""

import datetime as dt

import pytest

from server import clock, demo
from server.audit.service import Actor
from server.checks import service as checks
from server.incidents import service
from server.incidents.tables import Incident, IncidentStatus, StepKind
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import reset_database

DESK = Actor(username="desk", device="dev-i")
OFFICE = Actor(username="office")
POLICY = Policy()


@pytest.fixture(scope="module", autouse=True)
async def organisation():
    await reset_database()
    await demo.seed_organisation(lambda _: None)


async def held_visitor() -> dict:
    entry = new_entry_id()
    form = {
        "name": "发热访客",
        "phone": "13811110000",
        "temperature": "38.3",
        "purpose": "A01 企业开办",
    }
    await checks.record_visitor_check(entry, form, DESK, POLICY)
    return (await checks.remeasure_visitor(entry, "38.5", DESK, POLICY)).check


async def incident_of(check) -> dict:
    return await Incident.select().where(Incident.source_id == str(check["id"])).first()


async def test_a_hold_raises_one_incident_with_detected_and_held_steps():
    check = await held_visitor()
    incident = await incident_of(check)
    assert incident["subject"] == "发热访客" and incident["summary"] == "38.3 → 38.5 °C"
    _, steps = await service.incident_with_steps(incident["id"])
    assert [s["kind"] for s in steps] == ["detected", "held"]
    again = await service.raise_incident(
        "visitor_check", str(check["id"]), "x", "", "", clock.now(), DESK
    )
    assert again == incident["id"]


async def test_a_normal_remeasure_raises_nothing():
    entry = new_entry_id()
    await checks.record_visitor_check(
        entry, {"name": "复测正常", "phone": "13811110001", "temperature": "37.6"}, DESK, POLICY
    )
    cleared = (await checks.remeasure_visitor(entry, "36.7", DESK, POLICY)).check
    assert await incident_of(cleared) is None


async def test_the_timeline_runs_in_order_and_closes():
    incident = await incident_of(await held_visitor())
    with pytest.raises(service.StepRefused):
        await service.add_step(incident["id"], StepKind.closed, {}, None, OFFICE)
    with pytest.raises(service.StepRefused):
        await service.add_step(
            incident["id"], StepKind.reported_district, {"called": "疾控"}, None, OFFICE
        )
    await service.add_step(
        incident["id"],
        StepKind.reported_district,
        {"called": "区疾控中心 值班员", "number": "0632-1234567"},
        None,
        OFFICE,
    )
    await service.add_step(
        incident["id"],
        StepKind.transferred,
        {"by_whom": "120", "to_where": "区人民医院发热门诊"},
        None,
        OFFICE,
    )
    with pytest.raises(service.StepRefused):
        await service.add_step(incident["id"], StepKind.cleared, {"reason": "x"}, None, OFFICE)
    await service.add_step(incident["id"], StepKind.closed, {}, None, OFFICE)
    closed, steps = await service.incident_with_steps(incident["id"])
    assert closed["status"] == IncidentStatus.closed
    assert [s["kind"] for s in steps][-3:] == ["reported_district", "transferred", "closed"]
    with pytest.raises(service.StepRefused):
        await service.add_step(incident["id"], StepKind.note, {"text": "x"}, None, OFFICE)


def test_overdue_only_without_a_district_report_after_the_deadline():
    detected = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    incident = {"status": "open", "district_deadline": service.deadline(detected, POLICY)}
    reported = [{"kind": StepKind.reported_district}]
    assert not service.is_overdue(incident, [], detected + dt.timedelta(hours=1, minutes=59))
    assert service.is_overdue(incident, [], detected + dt.timedelta(hours=2, minutes=1))
    assert not service.is_overdue(incident, reported, detected + dt.timedelta(hours=3))
    assert not service.is_overdue(
        {**incident, "status": "closed"}, [], detected + dt.timedelta(hours=3)
    )
    # Cleared (no case) and not yet closed: there is nothing to report to the district.
    late = detected + dt.timedelta(hours=3)
    assert not service.is_overdue({**incident, "status": "cleared"}, [], late)
    assert service.is_overdue({**incident, "status": "transferred"}, [], late)


async def test_a_hold_arriving_by_sync_in_bulk_raises_its_incident_too():
    from server.checks.bulk import create_visitor_checks
    from sync.db import write_transaction
    from sync.ingest import Origin
    from sync.protocol import parse_mutation

    entity = new_entry_id()
    mutation = parse_mutation(
        {
            "id": str(new_entry_id()),
            "kind": "visitor_check.create",
            "entity_id": str(entity),
            "captured_at": clock.now().isoformat(),
            "fields": {
                "name": "同步暂留",
                "phone": "13811110002",
                "temperature": 36.8,
                "symptoms": ["cough"],
                "travel_or_contact": True,
            },
        }
    )
    async with write_transaction():
        await create_visitor_checks([mutation], Origin("dev-i", None, "dev-i", "desk"))
    incident = await Incident.select().where(Incident.source_id == str(entity)).first()
    assert incident["subject"] == "同步暂留"
