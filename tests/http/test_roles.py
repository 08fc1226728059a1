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
DECLARERS = {"staff", "head", "office", "leader"}  # every account linked to the roster

# (method, path, roles admitted, what an admitted role gets)
ROUTES = [
    ("GET", "/", EVERYONE, 302),
    ("GET", "/desk", {"desk"}, 200),
    ("GET", "/desk/today", {"desk"}, 200),
    ("POST", "/desk/visitors", {"desk"}, 422),
    ("POST", "/desk/visitors/{visitor}/remeasure", {"desk"}, 422),
    ("POST", "/desk/visitors/{visitor}/leave", {"desk"}, 200),
    ("POST", "/desk/staff", {"desk"}, 422),
    ("POST", "/desk/staff/{staff}/remeasure", {"desk"}, 422),
    ("GET", "/dashboard", OFFICE, 200),
    ("GET", "/office", OFFICE, 200),
    ("GET", "/office?tab=staff", OFFICE, 200),
    ("GET", "/office/visitors/{visitor}", OFFICE, 200),
    ("GET", "/office/visitors/{visitor}/reveal", OFFICE, 200),
    ("GET", "/office/export.xlsx", OFFICE, 200),
    ("GET", "/office/export.csv", OFFICE, 200),
    ("GET", "/office/export.xlsx?full=1", OFFICE, 200),  # full numbers: office and leaders
    ("GET", "/office/export.csv?full=1", OFFICE, 200),
    ("GET", "/office/export.csv?tab=staff", OFFICE, 200),
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
    ("POST", "/admin/devices/{device}/code", {"admin"}, 200),
    ("POST", "/admin/devices/{device}/revoke", {"admin"}, 200),
    # The API's description (every route and parameter): the admin's, and JSON only.
    ("GET", "/schema", {"admin"}, 200),
    ("GET", "/schema/openapi.json", {"admin"}, 200),
    ("GET", "/schema/swagger", {"admin"}, 404),  # no documentation pages: they need a CDN
    ("GET", "/me", {"staff", "head"}, 200),
    ("GET", "/me/declaration", DECLARERS, 200),
    ("GET", "/me/declaration/shell", DECLARERS, 200),
    ("POST", "/me/declaration", DECLARERS, 422),
    ("POST", "/me/declaration/absence", DECLARERS, 422),
    ("GET", "/team", {"head"}, 200),
    ("GET", "/team/{member}/declaration", {"head"}, 200),
    ("POST", "/team/{member}/declaration", {"head"}, 422),
    ("GET", "/team/{outsider}/declaration", set(), 200),  # a head sees only their department
    ("GET", "/health", OFFICE, 200),
    ("GET", "/health/absences", OFFICE, 200),
    ("GET", "/health/people/{member}", OFFICE | {"head"}, 200),
    ("GET", "/health/people/{outsider}", OFFICE, 200),
    ("POST", "/health/people/{member}/absence", {"office", "head"}, 422),
    ("POST", "/health/people/{member}/clear", {"office"}, 422),
    ("POST", "/health/absences/{member_absence}/follow-ups", {"office", "head", "staff"}, 422),
    ("POST", "/health/absences/{outsider_absence}/follow-ups", {"office"}, 422),
    ("GET", "/office/supplies", OFFICE, 200),
    ("POST", "/office/supplies", OFFICE, 422),
    ("GET", "/office/supplies/export.xlsx", OFFICE, 200),
    ("GET", "/office/supplies/{item}", OFFICE, 200),
    ("POST", "/office/supplies/{item}/movements", OFFICE, 422),
    ("POST", "/office/supplies/{item}/edit", OFFICE, 422),
    ("GET", "/office/notices", OFFICE, 200),
    ("POST", "/office/notices", OFFICE, 422),
    ("POST", "/office/notices/preview", OFFICE, 200),
    ("GET", "/office/notices/{notice}", OFFICE, 200),
    ("POST", "/office/notices/{draft_notice}/edit", OFFICE, 422),
    ("POST", "/office/notices/{draft_notice}/publish", OFFICE, 303),
    ("POST", "/office/notices/{old_notice}/withdraw", OFFICE, 303),
    ("POST", "/office/notices/{notice}/remind", OFFICE, 303),
    # Staff notices: the office and the leaders read them as staff see them.
    ("GET", "/notices", {"staff", "head", "office", "leader"}, 200),
    ("GET", "/notices/past", {"staff", "head", "office", "leader"}, 200),
    ("POST", "/notices/{notice}/read", {"staff", "head"}, 303),
    ("GET", "/office/training", OFFICE, 200),
    ("POST", "/office/training", OFFICE, 422),
    ("GET", "/office/training/{session}", OFFICE, 200),
    ("POST", "/office/training/{session}/attendees", OFFICE, 303),
    ("GET", "/office/training/people/{trainee}", OFFICE, 200),
    ("GET", "/training", {"staff", "head"}, 200),
    ("GET", "/duty", OFFICE | {"head"}, 200),
    ("GET", "/duty/gaps", OFFICE | {"head"}, 200),
    ("POST", "/duty/shifts", OFFICE | {"head"}, 422),
    ("POST", "/duty/copy", OFFICE | {"head"}, 303),
    ("GET", "/duty/shifts/{own_shift}", OFFICE | {"head", "staff"}, 200),
    ("GET", "/duty/shifts/{outsider_shift}", OFFICE, 200),
    ("POST", "/duty/shifts/{own_shift}/log", OFFICE | {"head", "staff"}, 422),
    ("POST", "/duty/shifts/{outsider_shift}/log", OFFICE, 422),
    ("POST", "/duty/shifts/{outsider_shift}/delete", OFFICE, 422),  # it has a log: it stays
    ("POST", "/office/incidents/{incident}/contacts", OFFICE, 422),
    ("POST", "/office/incidents/{incident}/contacts/by-hand", OFFICE, 422),
    ("POST", "/office/incidents/{incident}/contacts/{contact}", OFFICE, 422),
    ("POST", "/office/incidents/{incident}/contacts/{contact}/follow-ups", OFFICE, 422),
    ("GET", "/office/incidents/{incident}/contacts/{contact}/phone", OFFICE, 200),
    ("GET", "/office/disinfection", OFFICE, 200),
    ("POST", "/office/disinfection", OFFICE, 422),
    ("POST", "/office/disinfection/{point}/edit", OFFICE, 422),
    ("GET", "/office/disinfection/sheet", OFFICE, 200),
    ("POST", "/desk/disinfection", {"desk"}, 422),
    ("GET", "/office/prereg", OFFICE, 200),
    ("GET", "/office/prereg/poster", OFFICE, 200),
    ("GET", "/admin/users", {"admin"}, 200),
    ("GET", "/zero-report", OFFICE | {"head"}, 200),
    ("GET", "/zero-report/{head_department}", OFFICE | {"head"}, 200),
    ("GET", "/zero-report/{other_department}", OFFICE, 200),  # a head sees only their own
    ("POST", "/zero-report/{head_department}/{today}/am", {"head", "office"}, 422),
    ("POST", "/zero-report/{other_department}/{today}/am", {"office"}, 422),
    ("POST", "/zero-report/{head_department}/{today}/am/not-applicable", {"office"}, 422),
    ("GET", "/office/district-report", OFFICE, 200),
    ("GET", "/office/district-report/print", OFFICE, 200),
    ("GET", "/office/district-report/export.xlsx", OFFICE, 200),
    ("GET", "/office/district-report/export.csv", OFFICE, 200),
    ("POST", "/admin/users", {"admin"}, 422),
    ("POST", "/admin/users/999999/active", {"admin"}, 404),  # no such account: nobody switched
    ("GET", "/admin/settings", {"admin"}, 200),
    ("POST", "/admin/settings", {"admin"}, 422),
    ("GET", "/notifications", EVERYONE, 200),
    ("GET", "/notifications/badge", EVERYONE, 200),
    ("POST", "/notifications/read", EVERYONE, 303),
    ("POST", "/notifications/{incident}/read", EVERYONE, 303),  # not theirs: changes nothing
    ("POST", "/logout", EVERYONE, 303),
]
# What answers without a login, and why (PUBLIC_PATHS in server/app.py and the controllers
# excluded from authentication): (method, path, what an anonymous request gets, why).
PUBLIC = [
    ("GET", "/login", 200, "logging in"),
    ("POST", "/login", 400, "logging in (a wrong password here)"),
    ("POST", "/language", 303, "the login page's language switch"),
    ("GET", "/healthz", 200, "the monitor's probe: the database's state, nothing personal"),
    ("GET", "/static/app.css", 200, "styles, scripts and images the login page needs too"),
    ("HEAD", "/static/app.css", 200, "the same, asked whether it changed"),
    ("GET", "/sw.js", 200, "the service worker installs on the login page"),
    ("GET", "/manifest.webmanifest", 200, "the installable app's manifest"),
    ("GET", "/hall", 200, "the hall's screen: public notices and a visitor count"),
    ("GET", "/visit", 200, "a visitor's own pre-registration form (rate-limited)"),
    ("POST", "/visit", 422, "a visitor's own pre-registration (rate-limited, CSRF)"),
    ("GET", "/enroll", 200, "a phone opens the admin's enrolment link before any login"),
    ("POST", "/sync/enroll", 400, "a phone trades its one-time code for a device token"),
    ("POST", "/sync/push", 401, "the device token or the login, checked by the route itself"),
    ("GET", "/sync/pull", 401, "the device token or the login, checked by the route itself"),
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
    from server.devices.service import create_device

    device = await create_device("前台手机", Actor(username="admin"))
    return {
        "device": device.device_id,
        "visitor": visitor.check["id"],
        "staff": staff.check["id"],
        "incident": incident,
        **await health_records(),
        **await operations_records(),
        **await report_records(),
        **await duty_records(incident),
    }


async def report_records() -> dict:
    """The head's department (办公室), another one, and today, for the zero-report routes."""
    from server.org.tables import Department

    own = await Department.select(Department.id).where(Department.name == "办公室").first()
    other = await Department.select(Department.id).where(Department.name == "档案室").first()
    return {
        "head_department": own["id"],
        "other_department": other["id"],
        "today": clock.today().isoformat(),
        **await disinfection_records(),
    }


async def health_records() -> dict:
    """王萍 (the staff login, in the head's 办公室) and someone of another department, each
    with an open sick absence."""
    from server.declarations.absences import register_absence
    from server.org.tables import Person

    member = await Person.select(Person.id).where(Person.name == "王萍").first()
    outsider = await Person.select(Person.id).where(Person.department.name == "档案室").first()
    absences = {}
    for key, person in (("member", member["id"]), ("outsider", outsider["id"])):
        form = {"since": clock.today().isoformat(), "symptoms": "咳嗽", "saw_doctor": "no"}
        absence = await register_absence(
            person, form, Actor(username="head"), entry_id=new_entry_id()
        )
        absences[f"{key}_absence"] = absence["id"]
    return {"member": member["id"], "outsider": outsider["id"], **absences}


async def operations_records() -> dict:
    """A supply item, staff notices (published, draft, to withdraw) and a training session."""
    from server.notices.service import create_notice
    from server.org.tables import Person
    from server.supplies.service import create_item
    from server.training.service import create_session

    office = Actor(username="office")
    item = await create_item(new_entry_id(), {"name": "口罩", "unit": "只"}, office)
    notices = {}
    for key, publish in (("notice", True), ("draft_notice", False), ("old_notice", True)):
        form = {"kind": "notice", "title": key, "to_staff": "1"}
        made = await create_notice(
            new_entry_id(), form, office, publish, clock.now(), clock.today()
        )
        notices[key] = made.row["id"]
    trainee = await Person.select(Person.id).where(Person.name == "王萍").first()
    form = {"topic": "消毒", "held_on": clock.today().isoformat(), "trainer": "刘医生"}
    session = await create_session(new_entry_id(), form, [trainee["id"]], office)
    return {
        "item": item.row["id"],
        "session": session.row["id"],
        "trainee": trainee["id"],
        **notices,
    }


async def duty_records(incident) -> dict:
    """A shift of 王萍 (the staff login, in the head's department), one of 档案室 with a log
    entry, and a close contact of the incident."""
    from server.duty.service import add_log_entry, add_shift
    from server.incidents.contacts import confirm
    from server.org.tables import Person

    office = Actor(username="office")
    shifts = {}
    for key, where in (
        ("own_shift", Person.name == "王萍"),
        ("outsider", Person.department.name == "档案室"),
    ):
        person = await Person.select(Person.id).where(where).first()
        form = {"day": clock.today().isoformat(), "post": "hall", "person": str(person["id"])}
        shifts[key] = (await add_shift(new_entry_id(), form, office, None)).row["id"]
    await add_log_entry(new_entry_id(), shifts["outsider"], "event", "交接", office)
    contact = await confirm(
        incident, {"kind": "staff", "ref": str(person["id"])}, office, clock.today()
    )
    return {
        "own_shift": shifts["own_shift"],
        "outsider_shift": shifts["outsider"],
        "contact": contact.row["id"],
    }


async def disinfection_records() -> dict:
    from server.disinfection.service import save_point

    form = {"name": "电梯按钮", "times_per_day": "4"}
    point = await save_point(new_entry_id(), form, Actor(username="office"))
    return {"point": point.row["id"]}


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
    if method in ("GET", "HEAD"):
        return await client.request(method, url, headers=headers, follow_redirects=False)
    data = {"_csrf_token": token} if token else {}
    return await client.post(url, data=data, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("method, path, expected", [row[:3] for row in PUBLIC])
async def test_public_routes_need_no_login(anonymous, method, path, expected):
    response = await _send(anonymous, method, path, token=await form_token(anonymous, "/login"))
    assert response.status_code == expected, response.text[:300]


def _served(app) -> set[tuple[str, str]]:
    """Every method and path template the app answers. Not OPTIONS: Litestar answers it
    itself on every route, with the allowed methods and no content, and a guarded route
    refuses it (tested below)."""
    return {
        (method, route.path_format)
        for route in app.routes
        for handler in route.route_handlers
        for method in handler.http_methods
        if method != "OPTIONS"
    }


def _routed(app, method: str, url: str) -> tuple[str, str]:
    """The path template the app's own router sends this request to."""
    return method, app.asgi_router.handle_routing(url.split("?")[0], method)[4]


async def test_every_route_is_in_the_role_table_or_public(app, records):
    listed = {_routed(app, method, path.format(**records)) for method, path, *_ in ROUTES}
    public = {_routed(app, method, path) for method, path, *_ in PUBLIC}
    unlisted = _served(app) - listed - public
    assert not unlisted, f"routes neither in ROUTES nor in PUBLIC: {sorted(unlisted)}"


async def test_options_passes_no_guard_and_answers_only_the_allowed_methods(
    anonymous, client_as, records
):
    # The login is not read for OPTIONS (Litestar's authentication skips it), so a route's
    # role guard refuses everyone, logged in or not; a public route answers what it allows.
    url = "/office/visitors/{visitor}".format(**records)
    assert (await anonymous.options(url)).status_code == 403
    async with client_as("office") as office:
        assert (await office.options(url)).status_code == 403
    response = await anonymous.options("/login")
    assert response.status_code == 204 and response.content == b""
    assert "POST" in response.headers["allow"]


async def test_the_api_description_is_json_for_the_admin_and_no_page_needs_a_cdn(client_as):
    async with client_as("admin") as admin:
        described = await admin.get("/schema/openapi.json")
        assert described.status_code == 200
        assert "/desk/visitors" in described.json()["paths"]
        # Litestar's documentation pages load their scripts from cdn.jsdelivr.net.
        for page in ("swagger", "redoc", "rapidoc", "elements", "oauth2-redirect.html"):
            assert (await admin.get(f"/schema/{page}")).status_code == 404, page


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
        ("office", "/dashboard"),
        ("leader", "/dashboard"),
        ("admin", "/admin/users"),
        ("head", "/me"),
        ("staff", "/me"),
    ],
)
async def test_each_role_lands_on_its_work(client_as, role, landing):
    async with client_as(role) as client:
        response = await client.get("/", follow_redirects=False)
    assert response.headers["location"] == landing
