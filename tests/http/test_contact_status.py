"""A member of staff confirmed as a close contact under isolation stays home, awaiting notice,
on every page that shows work status, until the office ends the isolation; observation and
visitors change no work status."""

from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.checks import service as checks
from server.declarations import status
from server.declarations.tables import WorkStatusChange
from server.incidents.service import raise_incident
from server.incidents.tables import CloseContact
from server.org.tables import Person
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import csrf_from

OFFICE = Actor(username="office")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def person(name: str) -> int:
    return (await Person.select(Person.id).where(Person.name == name).first())["id"]


async def incident(subject: str) -> str:
    return str(await raise_incident("manual", None, subject, "大厅", "", clock.now(), OFFICE))


async def confirm(office, incident_id: str, data: dict):
    url = f"/office/incidents/{incident_id}"
    token = csrf_from((await office.get(url)).text)
    return await office.post(
        f"{url}/contacts/", data={**data, "_csrf_token": token}, follow_redirects=False
    )


async def change(office, incident_id: str, person_id: int, action: str):
    contact = (
        await CloseContact.select()
        .where((CloseContact.incident == incident_id) & (CloseContact.ref == str(person_id)))
        .first()
    )
    url = f"/office/incidents/{incident_id}"
    token = csrf_from((await office.get(url)).text)
    done = await office.post(
        f"{url}/contacts/{contact['id']}",
        data={"action": action, "_csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303


async def changes_of(person_id: int) -> list[dict]:
    return await WorkStatusChange.select().where(WorkStatusChange.person == person_id)


async def test_a_staff_contact_in_isolation_stays_home_until_the_office_releases_them(client_as):
    wang = await person("王萍")  # the staff login, in the head's 办公室
    case = await incident("隔离测试")
    isolation = {"kind": "staff", "ref": str(wang), "measure": "isolation"}
    async with client_as("office") as office:
        for _ in range(2):  # a double submit: one contact, one change of status
            assert (await confirm(office, case, isolation)).status_code == 303
        history = soup(await office.get(f"/health/people/{wang}")).select_one(".status-history")
        async with client_as("head") as head:
            team = soup(await head.get("/team"))
            told = soup(await head.get("/notifications"))
        async with client_as("staff") as staff:
            me = soup(await staff.get("/me"))
        sent_home = await changes_of(wang)
        await change(office, case, wang, "release")
    assert [(c["to_state"], c["cause"]) for c in sent_home] == [("stay_home", "close_contact")]
    assert "隔离测试" in sent_home[0]["note"]
    assert "row-stay_home" in team.select_one(f'li[data-person="{wang}"]')["class"]
    assert me.select_one(".alert.stay-home") is not None
    assert "密切接触者，隔离" in history.text and "隔离测试" in history.text
    [word] = told.select(".notification-stay_home.unread")
    assert "王萍" in word.text
    # Released by the office: back at work, the clearance in the history.
    assert (await status.state_of(wang))["state"] == "on_duty"
    assert [c["cause"] for c in await changes_of(wang)][-1] == "office_clearance"


async def test_observation_keeps_them_at_work_and_moving_to_isolation_sends_them_home(client_as):
    liu = await person("刘铮")
    case = await incident("转为隔离")
    visitor = await checks.record_visitor_check(
        new_entry_id(),
        {"name": "访客", "phone": "13900001111", "temperature": "36.5"},
        OFFICE,
        Policy(),
    )
    before = len(await WorkStatusChange.select())
    async with client_as("office") as office:
        watched = {"kind": "staff", "ref": str(liu), "measure": "observation"}
        await confirm(office, case, watched)
        assert (await status.state_of(liu))["state"] == "on_duty"
        await change(office, case, liu, "isolation")
        isolated = (await status.state_of(liu))["state"]
        await change(office, case, liu, "observation")
        back = (await status.state_of(liu))["state"]
        # A visitor has no work status: confirming one in isolation changes none.
        visiting = {"kind": "visitor", "ref": str(visitor.check["id"]), "measure": "isolation"}
        assert (await confirm(office, case, visiting)).status_code == 303
    assert (isolated, back) == ("stay_home", "on_duty")
    assert len(await WorkStatusChange.select()) == before + 2


async def test_a_second_isolation_keeps_them_home_when_the_first_ends(client_as):
    han = await person("韩业坤")
    first, second = await incident("第一起"), await incident("第二起")
    isolation = {"kind": "staff", "ref": str(han), "measure": "isolation"}
    async with client_as("office") as office:
        await confirm(office, first, isolation)
        await confirm(office, second, isolation)
        await change(office, first, han, "release")
        still = (await status.state_of(han))["state"]
        await change(office, second, han, "release")
    assert still == "stay_home"
    assert (await status.state_of(han))["state"] == "on_duty"
