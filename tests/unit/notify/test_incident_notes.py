"""An incident's word by e-mail: a department head's address gets the head's note (why, and
their part), the office's and the leaders' the office's instruction to report in time."""

from server.audit.service import Actor
from server.i18n import translate
from server.incidents.service import raise_incident
from server.notify.notes import FOR_HEADS
from server.notify.tables import OutboxMessage
from server.org.tables import Department


async def test_a_heads_address_gets_the_heads_note(frozen, smtp):
    office = await Department.select(Department.id).where(Department.name == "办公室").first()
    await raise_incident(
        "staff_check", "a-check", "王萍", "办公室", "38.2 → 38.4 °C", frozen(),
        Actor(username="desk"), held=True, department=office["id"],
    )  # fmt: skip
    rows = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.body)
    bodies = {r["recipient"]: r["body"] for r in rows}
    params = {"subject": "王萍", "place": "办公室", "readings": "38.2 → 38.4 °C"}
    assert bodies["head-bgs@hall.example"] == translate("zh", FOR_HEADS["staff_check"], params)
    for address in ("office@hall.example", "zuzhang@hall.example"):
        assert "前报告区领导小组办公室和区疾控中心" in bodies[address]
