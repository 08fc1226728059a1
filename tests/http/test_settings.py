"""The admin adjusts the plan's rules at /admin/settings: values checked one by one and
against each other, each change audited, and the new rule in force at once (the desk's range
check, the phone's reference data)."""

from bs4 import BeautifulSoup

from server.audit.tables import AuditEntry
from server.policy.editing import FIELDS, as_form
from server.policy.service import Policy, load_policy, store_setting
from server.policy.tables import Setting
from tests.support import csrf_from


def the_form(page_html: str) -> dict:
    """What the page's form would submit as it stands (checked boxes only)."""
    form = BeautifulSoup(page_html, "html.parser").select_one("form.settings-form")
    data: dict[str, list[str]] = {}
    for field in form.select("input"):
        if field.get("type") == "checkbox" and not field.has_attr("checked"):
            continue
        data.setdefault(field["name"], []).append(field.get("value", ""))
    return data


def errors(response) -> dict[str, str]:
    page = BeautifulSoup(response.text, "html.parser")
    return {e["id"].removesuffix("-error"): e.text for e in page.select(".field-error")}


async def reset_policy():
    await Setting.delete(force=True)


async def test_the_page_shows_the_rules_in_force_and_saving_them_unchanged_changes_nothing(
    client_as, seeded
):
    await reset_policy()
    async with client_as("admin") as admin:
        page = await admin.get("/admin/settings/")
        form = the_form(page.text)
        assert form["fever_threshold"] == ["37.3"] and form["opening_hours"] == ["08:30-17:00"]
        assert form["opening_weekdays"] == ["1", "2", "3", "4", "5"]
        assert set(form) == {f.name for f in FIELDS} | {"_csrf_token"}
        saved = await admin.post("/admin/settings/", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert await load_policy() == Policy()
    assert await AuditEntry.count().where(AuditEntry.entity == "setting") == 0


async def test_a_change_is_stored_audited_and_in_force_at_the_desk(client_as, seeded):
    await reset_policy()
    async with client_as("admin") as admin:
        form = the_form((await admin.get("/admin/settings/")).text)
        form |= {"fever_threshold": ["37.5"], "opening_weekdays": ["1", "2", "3", "4", "5", "6"]}
        form["declaration_risk_answers"] = ["fever", "symptoms", "outbreak_contact"]
        page = await admin.post("/admin/settings/", data=form)
        assert "alert ok" in page.text
        again = the_form(page.text)
    policy = await load_policy()
    assert policy.fever_threshold == 37.5 and policy.opening_weekdays == (1, 2, 3, 4, 5, 6)
    assert policy.declaration_risk_answers == ("fever", "symptoms", "outbreak_contact")
    assert again["fever_threshold"] == ["37.5"]
    changed = await AuditEntry.select(AuditEntry.entity_id, AuditEntry.before, AuditEntry.after)
    by_key = {a["entity_id"]: a for a in changed if a["entity_id"] in as_form(policy)}
    assert set(by_key) == {"fever_threshold", "opening_weekdays", "declaration_risk_answers"}
    assert "37.3" in str(by_key["fever_threshold"]["before"])
    assert "37.5" in str(by_key["fever_threshold"]["after"])

    # The desk's rule 3 follows at once: 37.4 is now a normal reading.
    async with client_as("desk") as desk:
        token = csrf_from((await desk.get("/desk")).text)
        recorded = await desk.post(
            "/desk/visitors",
            data={
                "name": "阈值测试",
                "phone": "13812345699",
                "temperature": "37.4",
                "_csrf_token": token,
            },
        )
    assert recorded.status_code == 200
    assert (
        "remeasure"
        not in BeautifulSoup(recorded.text, "html.parser").select_one("#visitor-panel").decode()
    )
    await reset_policy()


async def test_bad_values_are_refused_each_with_its_reason_and_nothing_is_stored(client_as, seeded):
    await reset_policy()
    async with client_as(
        "admin",
    ) as admin:
        form = the_form((await admin.get("/admin/settings/")).text)
        form |= {
            "fever_threshold": ["hot"],
            "declaration_deadline": ["9 点"],
            "opening_hours": ["17:00-08:30"],
            "visitor_retention_days": ["0"],
            "opening_weekdays": [],
        }
        refused = await admin.post("/admin/settings/", data=form)
        across = the_form((await admin.get("/admin/settings/")).text)
        across |= {"fever_threshold": ["36.0"], "min_valid_temperature": ["36.5"]}
        across |= {"zero_report_afternoon_deadline": ["09:30"]}
        also_refused = await admin.post("/admin/settings/", data=across)
    assert refused.status_code == 422
    assert set(errors(refused)) == {
        "fever_threshold",
        "declaration_deadline",
        "opening_hours",
        "visitor_retention_days",
        "opening_weekdays",
    }
    assert the_form(refused.text)["declaration_deadline"] == ["9 点"]  # what was typed, kept
    assert also_refused.status_code == 422
    assert set(errors(also_refused)) == {"fever_threshold", "zero_report_afternoon_deadline"}
    assert await Setting.count() == 0


async def test_a_tuple_setting_stored_once_compares_equal_on_the_next_save(seeded):
    await reset_policy()
    audited = AuditEntry.entity_id == "opening_weekdays"
    before = await AuditEntry.count().where(audited)
    await store_setting("opening_weekdays", (1, 2, 3))
    await store_setting("opening_weekdays", (1, 2, 3))
    assert (await load_policy()).opening_weekdays == (1, 2, 3)
    assert await AuditEntry.count().where(audited) == before + 1
    await reset_policy()


async def test_times_typed_in_full_width_are_read_as_typed(client_as, seeded):
    """A Chinese input method types ０８：３０ and －; they are the same times."""
    await reset_policy()
    async with client_as("admin") as admin:
        form = the_form((await admin.get("/admin/settings/")).text)
        form |= {
            "declaration_deadline": ["０８：４５"],
            "opening_hours": ["０９：００－１７：３０"],
            "district_report_hours": ["３"],
        }
        saved = await admin.post("/admin/settings/", data=form, follow_redirects=False)
    assert saved.status_code == 303, errors(saved)
    policy = await load_policy()
    assert policy.declaration_deadline == "08:45" and policy.opening_hours == "09:00-17:30"
    assert policy.district_report_hours == 3
    await reset_policy()
