"""What the staff member's phone needs to declare with no connection, through HTTP: the shell
the service worker keeps (the form, naming no one), the page's own copy of the person's last
declaration for IndexedDB, a post whose answer was lost sent again through the outbox under
the same id, a staff browser that pulls none of the hall's records, and a header badge of
unsent entries that leads each role where it may see them."""

import json

import pytest

from server import clock
from server.declarations import service
from server.declarations.tables import DeclarationRevision
from tests.http import test_declarations as declarations
from tests.http.conftest import log_in
from tests.http.test_declarations import HTMX, NORMAL, person_id, post_form, soup
from tests.http.test_declarations_sync import SYNC, push, submit

SHELL = "/me/declaration/shell"
# The declaration tests' fixtures: a staff login; 王萍 back on duty and undeclared after each.
staff = declarations.staff
everyone_back_on_duty = declarations.everyone_back_on_duty


def kept(response) -> dict:
    return json.loads(soup(response).select_one("template#my-last")["data-kept"])


async def test_the_shell_holds_the_form_and_nobody_s_answers(staff):
    await post_form(staff, "/me/declaration", "/me/declaration", {**NORMAL, "note": "腰疼"})
    shell = soup(await staff.get(SHELL))
    form = shell.select_one("#declaration-form form")
    assert form["hx-post"] == "/me/declaration" and form.select_one('input[name="entry_id"]')
    assert not form.select_one('input[name="temperature"]')["value"]
    assert not form.select("input[checked]")
    for personal in (".history", "#my-last", ".stay-home", ".reminder"):
        assert shell.select_one(f"#mine {personal}") is None, personal
    # It names no one: the phone may keep it past this login.
    assert "腰疼" not in str(shell) and "王萍" not in str(shell)
    root = shell.select_one("#declare")
    assert root["data-shell"] == "yes" and not root.has_attr("data-person")
    assert json.loads(root["data-policy"])["fever_threshold"] == 37.3
    assert shell.select_one("template#t-decl-stay-home").find("ol")


async def test_the_shell_needs_a_login(anonymous, seeded):
    response = await anonymous.get(SHELL, follow_redirects=False)
    assert response.status_code in (302, 303, 401)


async def test_the_page_hands_the_phone_the_person_s_own_last_declaration(staff):
    before = kept(await staff.get("/me/declaration"))
    assert before["person"] == await person_id("王萍") and before["work_state"] == "on_duty"
    answer = await post_form(
        staff, "/me/declaration", "/me/declaration", {**NORMAL, "symptoms": "cough"}, HTMX
    )
    after = kept(answer)  # every swap of the panel carries it
    assert after["work_state"] == "stay_home"
    last = after["last"]
    assert last["day"] == clock.today().isoformat() and last["risks"] == "symptoms"
    assert last["symptoms"] == "cough" and last["temperature"] == 36.5
    for office_only in ("flags", "device", "entered_by", "clock_flag"):
        assert office_only not in last


async def test_a_post_whose_answer_was_lost_is_a_duplicate_through_the_outbox(staff):
    page = soup(await staff.get("/me/declaration"))
    form_id = page.select_one('input[name="entry_id"]')["value"]
    token = page.select_one('input[name="_csrf_token"]')["value"]
    posted = await staff.post(
        "/me/declaration", data={"_csrf_token": token, "entry_id": form_id, **NORMAL}
    )
    assert posted.status_code == 200
    # The phone heard nothing and queued the same form under its id.
    mutation = {**submit(), "id": form_id}
    [result] = await push(staff, mutation)
    assert result["status"] == "duplicate"
    stored = await service.declaration_on(await person_id("王萍"), clock.today())
    assert stored["version"] == 1
    revisions = DeclarationRevision.declaration == stored["id"]
    assert await DeclarationRevision.count().where(revisions) == 1
    assert "flags" not in result["row"] and result["row"]["work_state"] == "on_duty"


async def test_a_staff_browser_pulls_none_of_the_hall_s_records(anonymous, seeded):
    await log_in(anonymous, "staff")
    answer = (await anonymous.get("/sync/pull", headers=SYNC)).json()
    assert answer["entries"] == [] and answer["tombstones"] == []
    assert "reference" not in answer  # no roster on a staff member's phone


async def test_a_desk_session_still_pulls_the_roster(anonymous, seeded):
    await log_in(anonymous, "desk")
    answer = (await anonymous.get("/sync/pull", headers=SYNC)).json()
    assert answer["reference"]["roster"]


@pytest.mark.parametrize(
    "role, leads_to",
    [
        ("desk", "/desk#sync"),
        ("staff", "/me/declaration"),
        ("head", "/me/declaration"),
        ("office", "/me/declaration"),
        ("leader", "/me/declaration"),
        ("admin", None),  # queues nothing: the badge shows no way to a page it may not open
    ],
)
async def test_the_unsent_badge_leads_where_the_role_sees_its_entries(client_as, role, leads_to):
    async with client_as(role) as client:
        badge = soup(await client.get("/notifications")).select_one("#sync-badge")
        assert badge.get("href") == leads_to
        if leads_to:
            assert (await client.get(leads_to.split("#")[0])).status_code == 200
