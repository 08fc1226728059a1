"""Who may open what: every route × every role, plus no login at all."""

import pytest

from server import clock
from server.audit.service import Actor
from server.checks import service
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.http.conftest import ROLES, form_token

ANONYMOUS = "anonymous"
OFFICE = {"office", "leader"}
EVERYONE = set(ROLES)

# (method, path, roles admitted, what an admitted role gets)
ROUTES = [
    ("GET", "/", EVERYONE, 302),
    ("GET", "/desk", {"desk"}, 200),
    ("POST", "/desk/visitors", {"desk"}, 422),
    ("POST", "/desk/visitors/{visitor}/remeasure", {"desk"}, 422),
    ("POST", "/desk/visitors/{visitor}/leave", {"desk"}, 200),
    ("POST", "/desk/staff", {"desk"}, 422),
    ("POST", "/desk/staff/{staff}/remeasure", {"desk"}, 422),
    ("GET", "/office", OFFICE, 200),
    ("GET", "/office?tab=staff", OFFICE, 200),
    ("GET", "/office/visitors/{visitor}", OFFICE, 200),
    ("GET", "/office/visitors/{visitor}/reveal", OFFICE, 200),
    ("GET", "/office/staff/{staff}", OFFICE, 200),
    ("POST", "/office/visitors/{visitor}/edit", OFFICE, 422),
    ("GET", "/office/conflicts", OFFICE, 200),
    ("GET", "/emergency", OFFICE, 200),
    ("POST", "/emergency", {"leader"}, 422),
    ("GET", "/office/incidents", OFFICE, 200),
    ("POST", "/office/incidents", OFFICE, 422),
    ("GET", "/office/incidents/{incident}", OFFICE, 200),
    ("GET", "/office/incidents/{incident}/print", OFFICE, 200),
    ("POST", "/office/incidents/{incident}/steps", OFFICE, 422),
    ("GET", "/office/import", OFFICE, 200),
    ("POST", "/office/import", OFFICE, 422),
    ("POST", "/office/conflicts/{visitor}", OFFICE, 303),
    ("GET", "/admin/devices", {"admin"}, 200),
    ("POST", "/admin/devices", {"admin"}, 422),
    ("GET", "/me", {"staff", "head"}, 200),
    ("GET", "/admin/users", {"admin"}, 200),
    ("POST", "/admin/users", {"admin"}, 422),
]
PUBLIC = [
    ("GET", "/login"),
    ("GET", "/healthz"),
    ("GET", "/static/app.css"),
    ("GET", "/sw.js"),
    ("GET", "/manifest.webmanifest"),
]


@pytest.fixture(scope="module")
async def records(seeded):
    """One visitor check and one staff check awaiting re-measure, for the record routes."""
    from server.org.tables import Person

    person = await Person.select(Person.id).first()
    desk = Actor(username="desk")
    visitor = await service.record_visitor_check(
        new_entry_id(),
        {"name": "李四", "phone": "13912345678", "temperature": "38.0"},
        desk,
        Policy(),
    )
    staff = await service.record_staff_check(
        new_entry_id(),
        {"person": str(person["id"]), "direction": "arrival", "temperature": "37.8"},
        desk,
        Policy(),
    )
    from server.incidents.service import raise_incident

    incident = await raise_incident("manual", None, "测试", "", "", clock.now(), desk)
    return {"visitor": visitor.check["id"], "staff": staff.check["id"], "incident": incident}


def cases():
    for method, path, admitted, status in ROUTES:
        for role in (*ROLES, ANONYMOUS):
            expected = status if role in admitted else (401 if role == ANONYMOUS else 403)
            yield pytest.param(method, path, role, expected, id=f"{role}-{method}-{path}")


@pytest.mark.parametrize("method, path, role, expected", list(cases()))
async def test_role_table(client_as, anonymous, records, method, path, role, expected):
    url = path.format(**records)
    if role == ANONYMOUS:
        response = await _send(anonymous, method, url, token=None)
    else:
        async with client_as(role) as client:
            response = await _send(client, method, url, token=await form_token(client, "/login"))
    assert response.status_code == expected, response.text[:300]


async def _send(client, method, url, token):
    headers = {"accept": "application/json"}
    if method == "GET":
        return await client.get(url, headers=headers, follow_redirects=False)
    data = {"_csrf_token": token} if token else {}
    return await client.post(url, data=data, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("method, path", PUBLIC)
async def test_public_routes_need_no_login(anonymous, method, path):
    response = await anonymous.get(path, follow_redirects=False)
    assert response.status_code == 200


async def test_a_page_without_login_redirects_a_browser_to_the_login_form(anonymous):
    response = await anonymous.get(
        "/office", headers={"accept": "text/html"}, follow_redirects=False
    )
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/login?next=/office"


async def test_htmx_without_login_is_sent_to_the_login_form(anonymous):
    response = await anonymous.get("/office", headers={"hx-request": "true"})
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login"


@pytest.mark.parametrize(
    "role, landing",
    [
        ("desk", "/desk"),
        ("office", "/office"),
        ("leader", "/office"),
        ("admin", "/admin/users"),
        ("head", "/me"),
        ("staff", "/me"),
    ],
)
async def test_each_role_lands_on_its_work(client_as, role, landing):
    async with client_as(role) as client:
        response = await client.get("/", follow_redirects=False)
    assert response.headers["location"] == landing
