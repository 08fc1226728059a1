"""The office's review: filters, keyset paging, masking, audited reveal, record history."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.audit.tables import AuditEntry
from server.checks import service
from server.policy.service import Policy
from sync.ids import new_entry_id
from tests.support import csrf_from

HTMX = {"hx-request": "true"}
DESK = Actor(username="desk")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def names(html: BeautifulSoup) -> list[str]:
    return [
        a.text for a in html.select("#results tbody td:nth-of-type(2) a, tbody td:nth-of-type(2) a")
    ]


@pytest.fixture(scope="module")
async def day_of_checks(seeded):
    """A past day with 30 normal visitors at A01, one held visitor at B01, one cleared."""
    day = clock.today() - dt.timedelta(days=3)
    start, _ = clock.day_bounds(day)
    for n in range(30):
        await service.record_visitor_check(
            new_entry_id(),
            {
                "name": f"访客{n:02d}",
                "phone": f"1380000{n:04d}",
                "temperature": "36.5",
                "purpose": "A01 企业开办",
            },
            DESK,
            Policy(),
            now=start + dt.timedelta(hours=9, minutes=n),
        )
    held_id = new_entry_id()
    await service.record_visitor_check(
        held_id,
        {
            "name": "暂留者",
            "phone": "13912340000",
            "id_number": "11010519491231002X",
            "temperature": "38.1",
            "purpose": "B01 社保登记",
        },
        DESK,
        Policy(),
        now=start + dt.timedelta(hours=10),
    )
    await service.remeasure_visitor(held_id, "38.3", DESK, Policy())
    cleared_id = new_entry_id()
    await service.record_visitor_check(
        cleared_id,
        {"name": "复测正常", "phone": "13912341111", "temperature": "37.4"},
        DESK,
        Policy(),
        now=start + dt.timedelta(hours=11),
    )
    await service.remeasure_visitor(cleared_id, "36.9", DESK, Policy())
    return {"day": day.isoformat(), "held": held_id}


@pytest.fixture
async def office(client_as):
    async with client_as("office") as client:
        yield client


async def test_pages_of_25_with_no_row_twice(office, day_of_checks):
    first = soup(await office.get(f"/office?day={day_of_checks['day']}"))
    rows = first.select("#results tbody tr:not(.more)")
    assert len(rows) == 25
    more = first.select_one("tr.more a")
    second = await office.get(more["hx-get"], headers=HTMX)
    assert "<html" not in second.text and "<table" not in second.text
    rest = soup(second).select("tr:not(.more)")
    assert len(rest) == 32 - 25
    assert soup(second).select_one("tr.more") is None
    seen = names(first) + [a.text for a in soup(second).select("td:nth-of-type(2) a")]
    assert len(seen) == len(set(seen)) == 32


async def test_abnormal_only(office, day_of_checks):
    html = soup(await office.get(f"/office?day={day_of_checks['day']}&abnormal=1"))
    assert sorted(names(html)) == sorted(["暂留者", "复测正常"])


async def test_text_search_and_window_filter(office, day_of_checks):
    html = soup(await office.get(f"/office?day={day_of_checks['day']}&q=访客0"))
    assert len(names(html)) == 10
    window = html.select_one('select[name="window"] option[value]:not([value=""])')
    b01 = next(o["value"] for o in html.select('select[name="window"] option') if "B01" in o.text)
    only_b01 = soup(await office.get(f"/office?day={day_of_checks['day']}&window={b01}"))
    assert names(only_b01) == ["暂留者"]
    assert window is not None


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("1111", ["复测正常"]),  # the last 4 digits
        ("0000", ["暂留者", "访客00"]),  # the last 4 digits of two numbers
        ("12340000", ["暂留者"]),  # more of the end
        ("13912341111", ["复测正常"]),  # the whole number
        ("139 1234-1111", ["复测正常"]),  # as it is written down
        ("１１１１", ["复测正常"]),  # typed full-width
        ("139****1111", ["复测正常"]),  # copied from a masked list
        ("139＊＊＊＊0000", ["暂留者"]),  # the same, full-width
        ("138****1111", []),  # masked, another beginning
        ("5555", []),  # no number ends with it
        ("13912345555", []),  # the same last 4 digits are not enough
        ("9123", []),  # digits from the middle of a number
        ("暂留", ["暂留者"]),  # a name still
        ("社保", ["暂留者"]),  # and a purpose
    ],
)
async def test_search_by_a_mobile_numbers_end_or_a_name(office, day_of_checks, q, found):
    html = soup(await office.get("/office", params={"day": day_of_checks["day"], "q": q}))
    assert sorted(names(html)) == sorted(found)


async def test_filter_change_through_htmx_returns_the_results_only(office, day_of_checks):
    response = await office.get(f"/office?day={day_of_checks['day']}&abnormal=1", headers=HTMX)
    html = soup(response)
    assert html.select_one("section#results") is not None
    assert html.select_one("form.filters") is None
    assert response.headers["vary"] == "HX-Request"


async def test_numbers_are_masked_in_the_list(office, day_of_checks):
    page = await office.get(f"/office?day={day_of_checks['day']}&q=暂留者")
    assert "13912340000" not in page.text and "139****0000" in page.text
    assert "11010519491231002X" not in page.text and "110105********002X" in page.text


async def test_reveal_shows_the_numbers_and_is_audited(office, day_of_checks):
    held = day_of_checks["held"]
    before = await AuditEntry.count().where(
        (AuditEntry.action == "reveal") & (AuditEntry.entity_id == str(held))
    )
    response = await office.get(f"/office/visitors/{held}/reveal", headers=HTMX)
    assert "13912340000" in response.text and "11010519491231002X" in response.text
    after = await AuditEntry.select().where(
        (AuditEntry.action == "reveal") & (AuditEntry.entity_id == str(held))
    )
    assert len(after) == before + 1 and after[-1]["actor"] == "office"


async def test_detail_shows_both_readings_and_the_history(office, day_of_checks):
    page = await office.get(f"/office/visitors/{day_of_checks['held']}")
    html = soup(page)
    assert "38.1" in page.text and "38.3" in page.text
    assert "13912340000" not in page.text
    history = html.select("table.records tbody tr")
    assert len(history) >= 2
    assert "待复测" in history[1].text and "已暂留" in history[1].text


async def test_leader_sees_the_same_list(client_as, day_of_checks):
    async with client_as("leader") as leader:
        html = soup(await leader.get(f"/office?day={day_of_checks['day']}&abnormal=1"))
    assert "暂留者" in names(html)


async def test_staff_tab_lists_staff_checks(office, seeded):
    from server.org.tables import Person

    person = await Person.select(Person.id, Person.name).first()
    await service.record_staff_check(
        new_entry_id(),
        {"person": str(person["id"]), "direction": "leaving", "temperature": "36.4"},
        DESK,
        Policy(),
    )
    html = soup(await office.get("/office?tab=staff"))
    assert person["name"] in names(html)


async def test_a_bad_day_falls_back_to_today(office, seeded):
    response = await office.get("/office?day=not-a-day")
    assert response.status_code == 200
    assert f'value="{clock.today().isoformat()}"' in response.text


async def test_the_office_corrects_a_name_and_the_history_shows_it(office, day_of_checks):
    held = day_of_checks["held"]
    response = await office.get(f"/office/visitors/{held}")
    page, token = soup(response), csrf_from(response.text)
    version = page.select_one('form[action$="/edit"] input[name="base_version"]')["value"]
    response = await office.post(
        f"/office/visitors/{held}/edit",
        data={
            "name": "暂留者（更正）",
            "base_version": version,
            "phone": "",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    after = await office.get(f"/office/visitors/{held}")
    assert "暂留者（更正）" in after.text and "13912340000" not in after.text
    stored = await service.visitor_check(held)
    assert stored["phone"] == "13912340000" and stored["status"] == "held"


async def test_a_bad_correction_is_refused_with_the_field_named(office, day_of_checks):
    held = day_of_checks["held"]
    token = csrf_from((await office.get(f"/office/visitors/{held}")).text)
    response = await office.post(
        f"/office/visitors/{held}/edit",
        data={"phone": "123", "base_version": "1", "_csrf_token": token},
    )
    assert response.status_code == 422
    assert soup(response).select_one("#phone-error") is not None


async def test_conflict_queue_shows_both_versions_and_applies_the_decision(office, seeded):
    from server.checks import edits
    from sync.merge import Side

    check = (
        await service.record_visitor_check(
            new_entry_id(),
            {"name": "待复核", "phone": "13700000000", "temperature": "38.2"},
            DESK,
            Policy(),
        )
    ).check
    outcome = await edits.edit_visitor_check(
        check["id"],
        {"temperature": "36.2"},
        1,
        Side("desk", "0000000000000001-0000-d"),
        Actor(username="desk", device="dev-x"),
        Policy(),
    )
    listing = await office.get("/office/conflicts")
    page, token = soup(listing), csrf_from(listing.text)
    section = page.select_one(f"#conflict-{outcome.conflict_id}")
    assert "待复核" in section.text and "38.2" in section.text and "36.2" in section.text
    assert "体温" in section.text and "temperature" not in section.text
    await office.post(
        f"/office/conflicts/{outcome.conflict_id}",
        data={"decision": "apply", "_csrf_token": token},
    )
    assert (await service.visitor_check(check["id"]))["temperature"] == 36.2
    assert (
        soup(await office.get("/office/conflicts")).select_one(f"#conflict-{outcome.conflict_id}")
        is None
    )


async def test_the_history_names_fields_and_values_in_words_and_masks_numbers(
    office, day_of_checks
):
    """A corrected mobile number stays masked in the history (the full one is shown only by
    the audited reveal); fields and values read as words, the person by name."""
    held = day_of_checks["held"]
    response = await office.get(f"/office/visitors/{held}")
    page, token = soup(response), csrf_from(response.text)
    version = page.select_one('form[action$="/edit"] input[name="base_version"]')["value"]
    await office.post(
        f"/office/visitors/{held}/edit",
        data={"phone": "13955556666", "base_version": version, "_csrf_token": token},
        follow_redirects=False,
    )
    history = soup(await office.get(f"/office/visitors/{held}")).select_one("table.records")
    text = history.text
    assert "13955556666" not in text and "13912340000" not in text
    assert "139****6666" in text and "139****0000" in text
    assert "手机号" in text and "phone" not in text
    assert "待复测" in text and "已暂留" in text and "remeasure" not in text
    assert "赵净" in text  # the office's display name, not its login
