"""What a department head reads on /notifications when one of their staff raises an incident:
not the office's instruction to report to the district, nor a link to an incident page they
may not open, but why (a declaration's risk answer when the reading was normal) and their own
part under the plan, with a link to their team's board. The office's note is unchanged."""

import uuid

import pytest
from bs4 import BeautifulSoup

from server.audit.service import Actor
from server.declarations.service import submit_declaration
from server.incidents.tables import Incident
from server.org.tables import Person
from server.policy.service import Policy
from tests.support import csrf_from

OFFICE_SAYS = "前报告区领导小组办公室和区疾控中心"  # the end of the office's note, in zh


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def told(client, subject: str):
    """The incident notes about `subject` on this account's list."""
    page = soup(await client.get("/notifications"))
    return [n for n in page.select(".notification-incident_raised") if subject in n.text]


async def wang_ping() -> int:
    """A staff member of 办公室, whose head is the login `head`."""
    return (await Person.select(Person.id).where(Person.name == "王萍").first())["id"]


@pytest.fixture
async def declared(seeded):
    """王萍 declares 36.8 °C and contact with an outbreak area: an incident."""
    answers = {
        "temperature": "36.8", "symptoms": [], "left_city": "no", "outbreak_contact": "yes",
        "household_symptoms": "no", "work_mode": "on_site",
    }  # fmt: skip
    await submit_declaration(
        await wang_ping(), answers, Actor(username="staff"), Policy(), submission_id=uuid.uuid4()
    )
    return await Incident.select().where(Incident.source == "declaration").first()


async def test_a_head_reads_why_and_their_part_not_the_office_instruction(client_as, declared):
    async with client_as("head") as head:
        [note] = await told(head, "王萍")
    text = note.text
    assert "今日健康申报有风险项" in text and "已接报" in text
    assert "本部门的密切接触者" in text and OFFICE_SAYS not in text
    assert [a["href"] for a in note.select("a.name")] == ["/team"]

    async with client_as("office") as office:
        [note] = await told(office, "王萍")
    assert OFFICE_SAYS in note.text and "36.8 °C" in note.text
    assert note.select_one("a.name")["href"] == f"/office/incidents/{declared['id']}"


async def test_a_head_reads_that_their_staff_member_was_held_with_a_fever(client_as, seeded):
    async with client_as("desk") as desk:
        desk.headers["x-csrftoken"] = csrf_from((await desk.get("/desk")).text)
        entry = str(uuid.uuid4())
        form = {"entry_id": entry, "person": str(await wang_ping()), "direction": "arrival"}
        await desk.post("/desk/staff", data={**form, "temperature": "38.2"})
        await desk.post(f"/desk/staff/{entry}/remeasure", data={"temperature": "38.4"})
    async with client_as("head") as head:
        notes = await told(head, "38.2 → 38.4 °C")
    assert len(notes) == 1 and "在入口测温发热，已被暂留" in notes[0].text
    assert OFFICE_SAYS not in notes[0].text
