"""A person told to stay home is not also told, in green, that they come to work: after a
declaration that sends them home, the summary of what they declared (work mode 到岗 included)
is shown in a warning style, its work mode struck through and said not to apply, on
/me/declaration, on /me, on the head's entry for a colleague and on the head's board (which
also shows the amendment, and counts the declaration as one). The office's /health board counts
it as declared too, in its chips and per-department table, and each chip's filter lists exactly
whom it counts. A normal declaration keeps its green confirmation."""

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.declarations import service, status
from server.declarations.tables import Declaration, DeclarationRevision
from server.i18n import translate
from server.org.tables import Person
from tests.http.test_declarations import HTMX, NORMAL, post_form, soup

ON_SITE = translate("zh", "On site")
DECLARED = ("已申报 ", "今日已申报 ·")
DOES_NOT_APPLY = translate(
    "zh",
    "The declared work mode (%(mode)s) does not apply: stay home and await notice.",
    {"mode": ON_SITE},
)


async def reset(person_id: int) -> None:
    today = await service.declaration_on(person_id, clock.today())
    if today:
        await DeclarationRevision.delete().where(DeclarationRevision.declaration == today["id"])
        await Declaration.delete().where(Declaration.id == today["id"])
    await status.clear_to_work(person_id, "test reset", Actor(username="office"))


@pytest.fixture
async def wang(seeded):
    """王萍 (the `staff` login), on duty and undeclared today, and again afterwards."""
    person = (await Person.select(Person.id).where(Person.name == "王萍").first())["id"]
    await reset(person)
    yield person
    await reset(person)


def summary_of(html: BeautifulSoup, within: str):
    """The paragraph that says what was declared (已申报 … / 今日已申报 …)."""
    said = [p for p in html.select(f"{within} p") if p.text.strip().startswith(DECLARED)]
    assert len(said) == 1, f"{len(said)} declared summaries in {within}: {html.text[:300]}"
    return said[0]


def assert_overridden(summary) -> None:
    classes = summary.get("class", [])
    assert "ok" not in classes and "warn" in classes, classes
    assert summary.select_one("s.mode.overridden").text.strip() == ON_SITE
    assert DOES_NOT_APPLY in summary.text, summary.text


async def test_amending_today_with_a_cough_turns_the_summary_into_a_warning(client_as, wang):
    async with client_as("staff") as staff:
        first = soup(await post_form(staff, "/me/declaration", "/me/declaration", NORMAL, HTMX))
        declared = summary_of(first, "#mine")
        assert "ok" in declared["class"] and declared.select_one("s") is None
        assert ON_SITE in declared.text

        amended = soup(
            await post_form(
                staff,
                "/me/declaration",
                "/me/declaration",
                {**NORMAL, "symptoms": "cough"},
                HTMX,
            )
        )
        assert amended.select_one("#mine .alert.stay-home") is not None
        assert_overridden(summary_of(amended, "#mine"))
        assert not [p for p in amended.select("#mine .alert.ok") if ON_SITE in p.text]

        me = soup(await staff.get("/me"))
        assert me.select_one(".my-declaration .alert.stay-home") is not None
        assert_overridden(summary_of(me, ".my-declaration"))


async def test_the_head_s_entry_for_a_colleague_sent_home(client_as, seeded):
    rows = await Person.select(Person.id, Person.title).where(Person.department.name == "办公室")
    colleague = next(r["id"] for r in rows if not r["title"])
    await reset(colleague)
    try:
        async with client_as("head") as head:
            page = f"/team/{colleague}/declaration"
            answer = await post_form(head, page, page, {**NORMAL, "symptoms": "cough"}, HTMX)
            assert answer.status_code == 200
            assert_overridden(summary_of(soup(answer), "#enter"))
    finally:
        await reset(colleague)


async def test_the_head_s_board_after_an_amendment_that_sends_someone_home(client_as, wang):
    async with client_as("staff") as staff:
        await post_form(staff, "/me/declaration", "/me/declaration", NORMAL, HTMX)
        cough = {**NORMAL, "symptoms": "cough"}
        await post_form(staff, "/me/declaration", "/me/declaration", cough, HTMX)
    async with client_as("head") as head:
        board = soup(await head.get("/team"))
    row = board.select_one(f'#team-board li[data-person="{wang}"]')
    assert row.select_one(".status.board-stay_home") is not None
    assert row.select_one("s.mode.overridden").text.strip() == ON_SITE
    assert row.select_one(".mode:not(s)") is None
    assert DOES_NOT_APPLY in row.text
    changed = row.select_one("a.changed")
    assert changed["href"] == f"/health/people/{wang}"
    assert changed.text == translate("zh", "Changed %(n)s times", {"n": 1})

    def count(group: str, state: str) -> int:
        return int(board.select_one(f".{group} .count-chip.board-{state} strong").text)

    declared = len(board.select("#team-board li[data-person] .detail"))
    assert declared >= 1 and count("declaration-counts", "declared") == declared
    people = len(board.select("#team-board li[data-person]"))
    assert sum(count("declaration-counts", d) for d in ("declared", "due", "missing")) == people
    assert count("work-counts", "stay_home") == 1
    label = translate("zh", "Today's declarations") + "："
    assert board.select_one(".declaration-counts").text.strip().startswith(label)


async def test_the_office_board_counts_and_lists_a_declaration_from_someone_sent_home(
    client_as, wang
):
    async with client_as("staff") as staff:
        await post_form(staff, "/me/declaration", "/me/declaration", NORMAL, HTMX)
        cough = {**NORMAL, "symptoms": "cough"}
        await post_form(staff, "/me/declaration", "/me/declaration", cough, HTMX)
    department = (await Person.select(Person.department).where(Person.id == wang).first())[
        "department"
    ]

    def people(html: BeautifulSoup) -> dict[int, BeautifulSoup]:
        return {int(li["data-person"]): li for li in html.select("#board li[data-person]")}

    async with client_as("office") as office:
        board = soup(await office.get(f"/health?department={department}"))
        rows = people(board)
        row = rows[wang]
        assert row.select_one(".status.board-stay_home") is not None
        assert row.select_one("s.mode.overridden").text.strip() == ON_SITE
        assert DOES_NOT_APPLY in row.text

        # Each chip counts, and its link lists, exactly the same people of the department.
        listed = {}
        for group, states in (
            ("work-counts", ("absent", "stay_home")),
            ("declaration-counts", ("missing", "due", "declared")),
        ):
            for state in states:
                chip = board.select_one(f".{group} a.count-chip.board-{state}")
                shown = people(soup(await office.get(chip["href"], headers=HTMX)))
                assert int(chip.strong.text) == len(shown), state
                said = ".detail" if state == "declared" else f".status.board-{state}"
                assert all(r.select_one(said) for r in shown.values()), state
                listed[state] = set(shown)
        assert wang in listed["declared"] and wang in listed["stay_home"]
        assert listed["declared"] == {p for p, r in rows.items() if r.select_one(".detail")}
        assert listed["missing"] | listed["due"] | listed["declared"] == set(rows)
        label = translate("zh", "Today's declarations") + "："
        assert board.select_one(".declaration-counts").text.strip().startswith(label)

    table = board.select_one("table.per-department")
    mine = next(tr for tr in table.select("tbody tr") if tr.td.text == "办公室")

    def cell(name: str) -> int:
        return int(mine.select_one(f"td.{name}").text)

    assert cell("declared") == len(listed["declared"]) >= 1
    assert cell("due") == len(listed["due"]) and cell("missing") == len(listed["missing"])
    assert cell("stay_home") == len(listed["stay_home"]) == 1
    assert cell("absent") == len(listed["absent"])
    assert int(mine.select("td")[1].text) == len(rows)
