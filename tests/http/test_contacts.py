"""Close contacts through HTTP: suggestions on the incident page, confirmation (twice: one
contact), a follow-up, the printed report, and observation ending by the clock."""

import datetime as dt

from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.checks import service as checks
from server.declarations import status
from server.incidents import contacts
from server.incidents.service import raise_incident
from server.incidents.tables import CloseContact, ContactFollowUp, Incident
from server.org.tables import Person
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


def by_hand_form(page: BeautifulSoup) -> tuple[str, dict]:
    """The action and hidden fields of the incident page's form adding a contact by hand."""
    form = page.select_one("details.add-contact form")
    return form["action"], {i["name"]: i["value"] for i in form.select('input[type="hidden"]')}


async def test_the_office_adds_close_contacts_by_hand_to_a_case_raised_by_hand(client_as, seeded):
    """A case raised by hand has no suggestions: the office adds a member of staff from the
    roster and a visitor by name and mobile, each once however often the form is sent."""
    jia = await Person.select(Person.id).where(Person.name == "贾刚").first()
    incident_id = await raise_incident("manual", None, "手工病例", "", "", clock.now(), OFFICE)
    url = f"/office/incidents/{incident_id}"
    async with client_as("office") as office:
        page = soup(await office.get(url))
        assert page.select("li.suggestion") == []
        action, hidden = by_hand_form(page)
        staff = {**hidden, "kind": "staff", "person": str(jia["id"]), "measure": "observation"}
        visitor = {**hidden, "kind": "visitor", "name": "张来人", "phone": "138 1234 5678"}
        for data in (staff, staff, visitor, visitor):
            done = await office.post(action, data=data, follow_redirects=False)
            assert done.status_code == 303
        forged = await office.post(action, data={**visitor, "_csrf_token": "forged"})
        page = soup(await office.get(url))
    assert forged.status_code == 403
    stored = await CloseContact.select().where(CloseContact.incident == incident_id)
    assert sorted((c["kind"], c["name"], c["reason"]) for c in stored) == [
        ("staff", "贾刚", "manual"),
        ("visitor", "张来人", "manual"),
    ]
    assert {c["phone"] for c in stored if c["kind"] == "visitor"} == {"13812345678"}
    shown = [li.select_one(".name").contents[0].strip() for li in page.select("li.contact")]
    assert shown == ["贾刚", "张来人"] and "13812345678" not in page.text


async def test_a_visitor_added_by_hand_after_being_confirmed_from_a_suggestion_is_kept_once(
    client_as, seeded
):
    incident, contact = await confirmed_contact()
    async with client_as("office") as office:
        action, hidden = by_hand_form(soup(await office.get(f"/office/incidents/{incident['id']}")))
        same = {**hidden, "kind": "visitor", "name": contact["name"], "phone": contact["phone"]}
        done = await office.post(action, data=same, follow_redirects=False)
    assert done.status_code == 303
    assert await CloseContact.count().where(CloseContact.incident == incident["id"]) == 1


async def test_a_refused_contact_by_hand_says_why_and_keeps_what_was_typed(client_as, seeded):
    incident_id = await raise_incident("manual", None, "手工拒绝", "", "", clock.now(), OFFICE)
    url = f"/office/incidents/{incident_id}"
    async with client_as("office") as office:
        action, hidden = by_hand_form(soup(await office.get(url)))
        typed = {"kind": "visitor", "name": "李来人", "phone": "12345", "measure": "isolation"}
        refused = await office.post(action, data={**hidden, **typed})
        nobody = await office.post(action, data={**hidden, "kind": "staff", "person": ""})
        english = await office.post(
            action, data={**hidden, "kind": "staff"}, headers={"accept-language": "en"}
        )
    assert refused.status_code == nobody.status_code == english.status_code == 422
    page = soup(refused)
    assert page.select_one(".alert.error").text == "请输入11位手机号，如 13812345678"
    form = page.select_one("details.add-contact")
    assert form.has_attr("open")
    assert form.select_one('input[name="kind"][value="visitor"]').has_attr("checked")
    assert form.select_one('input[name="name"]')["value"] == "李来人"
    assert form.select_one('input[name="phone"]')["value"] == "12345"
    assert form.select_one('option[value="isolation"]').has_attr("selected")
    assert soup(nobody).select_one(".alert.error").text == "请从名单中选择干部职工"
    assert soup(english).select_one(".alert.error").text == (
        "Choose a member of staff from the roster"
    )
    assert await CloseContact.count().where(CloseContact.incident == incident_id) == 0


async def follow_up(office, url: str, contact_id, typed: dict, entry_id=None):
    """Send the contact's follow-up form with `typed` (a new entry id, unless given)."""
    page = soup(await office.get(url))
    form = page.select_one(f'li[data-contact="{contact_id}"] form[action$="/follow-ups"]')
    data = {i["name"]: i.get("value", "") for i in form.select("input")} | typed
    if entry_id:
        data["entry_id"] = entry_id
    done = await office.post(form["action"], data=data, follow_redirects=False)
    assert done.status_code == 303
    return data["entry_id"]


async def test_a_fever_at_a_follow_up_is_flagged_and_raises_the_contacts_own_incident_once(
    client_as, seeded
):
    incident, contact = await confirmed_contact()
    url = f"/office/incidents/{incident['id']}"
    async with client_as("office") as office:
        feverish = await follow_up(office, url, contact["id"], {"temperature": "38.2"})
        await follow_up(office, url, contact["id"], {"temperature": "38.2"}, feverish)  # replay
        await follow_up(office, url, contact["id"], {"temperature": "36.8", "symptoms": "咳嗽"})
        await follow_up(office, url, contact["id"], {"temperature": "36.6", "symptoms": "无"})
        page = soup(await office.get(url))
        told = soup(await office.get("/notifications"))
        raised = await Incident.select().where(Incident.source == "contact_follow_up")
        own = soup(await office.get(f"/office/incidents/{raised[0]['id']}"))
    listed = page.select(f'li[data-contact="{contact["id"]}"] .follow-ups li')
    assert ["abnormal" in li.get("class", []) for li in listed] == [True, True, False]
    assert listed[0].select_one(".risk").text == "异常"
    flagged = page.select("ol.timeline li.step-contact_abnormal")
    assert [li.select_one("strong").text for li in flagged] == ["密切接触者随访异常"] * 2
    assert "排在前面" in flagged[0].text and "38.2 °C" in flagged[0].text
    # One incident for the contact while it is open: the second abnormal day raises none.
    assert [(i["subject"], i["summary"]) for i in raised] == [("排在前面", "38.2 °C")]
    assert flagged[0].select_one("a")["href"] == f"/office/incidents/{raised[0]['id']}"
    assert flagged[1].select_one("a") is None
    words = told.select(".notification-incident_raised.urgent")
    assert [w for w in words if "排在前面" in w.text]
    assert own.select_one(".origin a")["href"] == url
    assert "密切接触者随访时发热或有症状" in own.select_one("ol.timeline").text


async def test_a_staff_contact_with_symptoms_at_a_follow_up_is_sent_home(client_as, seeded):
    zhao = await Person.select(Person.id).where(Person.name == "赵传生").first()
    incident_id = await raise_incident("manual", None, "随访发热", "", "", clock.now(), OFFICE)
    form = {"kind": "staff", "ref": str(zhao["id"]), "measure": "observation"}
    contact = (await contacts.confirm(incident_id, form, OFFICE, clock.today())).row
    url = f"/office/incidents/{incident_id}"
    async with client_as("office") as office:
        await follow_up(office, url, contact["id"], {"symptoms": "乏力、咽痛"})
    state = await status.state_of(zhao["id"])
    [change] = await status.history(zhao["id"])
    assert state["state"] == "stay_home"
    assert (change["cause"], change["note"]) == ("contact_follow_up", "乏力、咽痛")
    raised = await Incident.select().where(Incident.source_id == str(change["ref"])).first()
    assert raised["subject"] == "赵传生"
