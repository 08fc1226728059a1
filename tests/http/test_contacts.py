"""Close contacts through HTTP: suggestions on the incident page, confirmation (twice: one
contact), a follow-up, the printed report, and observation ending by the clock."""

import datetime as dt

from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.checks import service as checks
from server.incidents import contacts
from server.incidents.tables import CloseContact, ContactFollowUp, Incident
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import csrf_from

DESK = Actor(username="desk")
OFFICE = Actor(username="office")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def visitor(name: str, minutes: int, temperature="36.6") -> dict:
    form = {"name": name, "phone": "13912340000", "temperature": temperature, "purpose": "B01"}
    at = clock.now() - dt.timedelta(minutes=minutes)
    return (await checks.record_visitor_check(new_entry_id(), form, DESK, Policy(), now=at)).check


async def held_case() -> dict:
    await visitor("排在前面", 20)
    await visitor("早到一小时", 100)
    case = await visitor("发热者", 0, "38.5")
    await checks.remeasure_visitor(case["id"], "38.7", DESK, Policy())
    return await Incident.select().where(Incident.source_id == str(case["id"])).first()


async def confirmed_contact() -> tuple[dict, dict]:
    """A held case and its first suggested contact, confirmed by the office."""
    incident = await held_case()
    first = (await contacts.suggestions(incident))[0]
    form = {"kind": first.kind, "ref": first.ref, "reason": first.reason}
    return incident, (await contacts.confirm(incident["id"], form, OFFICE, clock.today())).row


async def test_the_office_confirms_a_suggestion_once_and_follows_it_up(client_as, seeded):
    incident = await held_case()
    url = f"/office/incidents/{incident['id']}"
    async with client_as("office") as office:
        page = soup(await office.get(url))
        names = [li.select_one(".name").contents[0].strip() for li in page.select("li.suggestion")]
        assert names == ["排在前面"]
        assert "13912340000" not in page.text  # masked
        form = page.select_one("li.suggestion form")
        data = {i["name"]: i["value"] for i in form.select("input")} | {"measure": "isolation"}
        for _ in range(2):
            done = await office.post(form["action"], data=data, follow_redirects=False)
            assert done.status_code == 303
        page = soup(await office.get(url))
        contact = page.select_one("#contacts li.contact")
        assert "contact-isolation" in contact.select_one(".status")["class"]
        assert page.select("li.suggestion") == []
        follow = contact.select_one('form[action$="/follow-ups"]')
        data = {i["name"]: i.get("value", "") for i in follow.select("input")}
        bad = await office.post(follow["action"], data={**data, "temperature": "50"})
        assert bad.status_code == 422 and soup(bad).select_one(".alert.error")
        await office.post(follow["action"], data={**data, "temperature": "36.8"})
        printed = soup(await office.get(f"{url}/print"))
    assert await CloseContact.count().where(CloseContact.incident == incident["id"]) == 1
    row = printed.select_one("table.contacts tbody tr")
    assert (
        "排在前面" in row.text and "139****0000" in row.text and printed.select_one("form") is None
    )


async def test_observation_ends_on_its_end_date_on_the_page(client_as, seeded, monkeypatch):
    incident = await held_case()
    url = f"/office/incidents/{incident['id']}"
    async with client_as("leader") as leader:
        response = await leader.get(url)
        page = soup(response)
        data = {
            i["name"]: i["value"] for i in page.select_one("li.suggestion form").select("input")
        }
        token = csrf_from(response.text)
        await leader.post(f"{url}/contacts/", data={**data, "_csrf_token": token})
        contact = await CloseContact.select().where(CloseContact.incident == incident["id"]).first()
        # The hall's day moves on (the login session, timed by the real clock, stays valid).
        end = contact["end_on"]
        monkeypatch.setattr(clock, "today", lambda: end - dt.timedelta(days=1))
        before = soup(await leader.get(url)).select_one("#contacts li.contact")
        monkeypatch.setattr(clock, "today", lambda: end)
        after = soup(await leader.get(url)).select_one("#contacts li.contact")
    assert "contact-observation" in before.select_one(".status")["class"]
    assert "contact-ended" in after.select_one(".status")["class"]
    assert after.select_one('form[action$="/follow-ups"]') is None


async def test_a_contact_of_another_incident_is_not_found(client_as, seeded):
    first, second = await held_case(), await held_case()
    async with client_as("office") as office:
        response = await office.get(f"/office/incidents/{first['id']}")
        page = soup(response)
        data = {
            i["name"]: i["value"] for i in page.select_one("li.suggestion form").select("input")
        }
        await office.post(f"/office/incidents/{first['id']}/contacts/", data=data)
        contact = await CloseContact.select().where(CloseContact.incident == first["id"]).first()
        wrong = await office.post(
            f"/office/incidents/{second['id']}/contacts/{contact['id']}",
            data={"action": "release", "_csrf_token": csrf_from(response.text)},
        )
    assert wrong.status_code == 404


async def test_the_office_shows_a_contacts_full_mobile_to_call_them_and_it_is_audited(
    client_as, seeded
):
    incident = await held_case()
    url = f"/office/incidents/{incident['id']}"
    async with client_as("leader") as leader:
        response = await leader.get(url)
        data = {
            i["name"]: i["value"]
            for i in soup(response).select_one("li.suggestion form").select("input")
        }
        await leader.post(
            f"{url}/contacts/", data={**data, "_csrf_token": csrf_from(response.text)}
        )
        contact = await CloseContact.select().where(CloseContact.incident == incident["id"]).first()
        page = soup(await leader.get(url))
        link = page.select_one("#contacts li.contact a.reveal")
        shown = await leader.get(link["hx-get"], headers={"HX-Request": "true"})
        whole_page = await leader.get(link["href"])
        elsewhere = await leader.get(f"/office/incidents/{(await held_case())['id']}")
    assert "13912340000" not in page.text
    assert 'href="tel:13912340000"' in shown.text and "<html" not in shown.text
    assert 'href="tel:13912340000"' in whole_page.text
    assert "13912340000" not in elsewhere.text
    looks = await AuditEntry.select().where(
        (AuditEntry.action == "reveal") & (AuditEntry.entity_id == str(contact["id"]))
    )
    assert [(a["actor"], a["entity"]) for a in looks] == [("leader", "close_contact")] * 2


async def test_a_follow_up_names_who_made_it_as_the_person(client_as, seeded):
    """Each follow-up says who made it by the account's display name; it keeps the login."""
    incident, contact = await confirmed_contact()
    url = f"/office/incidents/{incident['id']}"
    async with client_as("office") as office:
        page = soup(await office.get(url))
        follow = page.select_one(f'li[data-contact="{contact["id"]}"] form[action$="/follow-ups"]')
        data = {i["name"]: i.get("value", "") for i in follow.select("input")}
        await office.post(follow["action"], data={**data, "temperature": "36.9"})
        page = soup(await office.get(url))
    made = page.select_one(f'li[data-contact="{contact["id"]}"] .follow-ups li')
    assert made.select_one(".by").text.strip() == "赵净"
    stored = await ContactFollowUp.select().where(ContactFollowUp.contact == contact["id"])
    assert [r["by"] for r in stored] == ["office"]


async def test_a_refused_follow_up_keeps_what_was_typed_and_its_form_open(client_as, seeded):
    incident, contact = await confirmed_contact()
    url = f"/office/incidents/{incident['id']}"
    where = f'li[data-contact="{contact["id"]}"]'
    async with client_as("office") as office:
        page = soup(await office.get(url))
        follow = page.select_one(f'{where} form[action$="/follow-ups"]')
        data = {i["name"]: i.get("value", "") for i in follow.select("input")}
        for temperature in ("abc", "99"):
            typed = {"temperature": temperature, "symptoms": "咳嗽", "note": "电话随访"}
            refused = await office.post(follow["action"], data={**data, **typed})
            assert refused.status_code == 422
            page = soup(refused)
            assert page.select_one(".alert.error")
            assert page.select_one(f"{where} details").has_attr("open")
            again = page.select_one(f'{where} form[action$="/follow-ups"]')
            for name, value in typed.items():
                assert again.select_one(f'input[name="{name}"]')["value"] == value
    assert await ContactFollowUp.count().where(ContactFollowUp.contact == contact["id"]) == 0
