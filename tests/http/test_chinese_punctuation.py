"""Sentences the templates put together read in Chinese with Chinese punctuation: a label and
its value take the full-width colon (今日来人登记：7), a remark full-width brackets, a sentence
ends with 。 — and the same pages in English keep ": ", " (…)" and ".". Numbers, units and
times stay as they are (37.6 °C, 08:30)."""

import datetime as dt
import re
import uuid

import pytest
from bs4 import BeautifulSoup

from server import clock
from server.audit.service import Actor
from server.checks import service as checks
from server.declarations import status
from server.declarations.service import submit_declaration
from server.duty.tables import DutyShift, Post
from server.org.tables import Department, Person
from server.policy.service import Policy, load_policy
from sync.ids import new_entry_id
from tests.http.test_disinfection import A_MONDAY, a_point, hall_time
from tests.http.test_supplies import add_item
from tests.support import csrf_from

EN = {"accept-language": "en"}
HTMX = {"hx-request": "true"}
# Han characters (and the full-width marks) next to an ASCII colon, comma, full stop,
# semicolon or bracket: what this file is about.
HAN = r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]"
MIXED = re.compile(rf"{HAN}\s*[:,.;()]|[:;(]\s*{HAN}|\)\s*{HAN}")


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def text(element) -> str:
    return " ".join(element.get_text("").split())


def assert_chinese(sentence: str) -> None:
    assert not MIXED.search(sentence), f"ASCII punctuation in Chinese: {sentence!r}"


async def test_the_hall_board_counts_visitors_with_a_full_width_colon(anonymous):
    board = soup(await anonymous.get("/hall")).select_one(".visitors")
    count = board.select_one("#visitor-count").text
    assert text(board).startswith(f"今日来人登记：{count}")
    assert_chinese(text(board))

    english = soup(await anonymous.get("/hall", headers=EN)).select_one(".visitors")
    assert text(english).startswith("Visitors registered today: ")


async def test_the_dashboard_trend_says_each_day_with_a_full_width_colon(client_as):
    async with client_as("office") as office:
        page = soup(await office.get("/dashboard/"))
        english = soup(await office.get("/dashboard/", headers=EN))
    days = [text(t) for t in page.select("svg.chart g.day title")]
    assert days and all(re.fullmatch(r"\d\d-\d\d：来人 \d+，异常 \d+，暂留 \d+", d) for d in days)
    english_days = [text(t) for t in english.select("svg.chart g.day title")]
    assert re.fullmatch(r"\d\d-\d\d: \d+ visitors, \d+ abnormal, \d+ held", english_days[0])


@pytest.fixture
async def desk(client_as):
    async with client_as("desk") as client:
        client.headers["x-csrftoken"] = csrf_from((await client.get("/desk")).text)
        yield client


async def test_the_desk_asks_to_measure_a_fever_again_in_a_chinese_sentence(desk):
    form = {
        "entry_id": str(uuid.uuid4()),
        "name": "张发热",
        "phone": "13712345678",
        "temperature": "37.6",
        "travel_or_contact": "no",
    }
    panel = soup(await desk.post("/desk/visitors", data=form, headers=HTMX))
    asked = text(panel.select_one("#visitor-panel .alert.warn p"))
    assert asked.startswith("张发热：37.6 °C ≥ 37.3 °C。请复测"), asked
    assert panel.select_one("#visitor-panel .alert.warn p strong").text == "张发热"

    # The same sentence as the desk's script fills it in without the server.
    page = soup(await desk.get("/desk"))
    template = page.select_one("template#t-remeasure").decode_contents()
    drawn = BeautifulSoup(template, "html.parser").select_one("p")
    assert [s["data-slot"] for s in drawn.select("[data-slot]")] == ["name", "first", "threshold"]
    assert text(drawn).startswith("： °C ≥ °C。请复测"), text(drawn)


async def test_a_misread_temperature_is_a_chinese_sentence_on_the_desk_and_its_phone(desk):
    form = {"entry_id": str(uuid.uuid4()), "name": "张误测", "phone": "13712345679"}
    form.update(temperature="45.0", travel_or_contact="no")
    refused = await desk.post("/desk/visitors", data=form, headers=HTMX)
    assert refused.status_code == 422
    panel = BeautifulSoup(refused.text, "html.parser")
    said = text(panel.select_one("#visitor-panel #temperature-error"))
    assert said == "45.0 °C 超出 34.0–43.0 °C 的有效范围，属于误测，请重新测量。", said
    # What the desk's script says when it finds the misread itself, offline.
    page = soup(await desk.get("/desk"))
    texts = "".join(t.decode_contents() for t in page.select("template.texts"))
    phone = BeautifulSoup(texts, "html.parser").select_one(
        '[data-t="rule_temperature_out_of_range"]'
    )
    assert text(phone).endswith("属于误测，请重新测量。"), text(phone)


async def test_the_disinfection_sheet_labels_its_date_and_signature(client_as):
    async with client_as("office") as office:
        page = soup(await office.get("/office/disinfection/sheet"))
        english = soup(await office.get("/office/disinfection/sheet", headers=EN))
    header = text(page.select("body > p")[0])
    assert re.fullmatch(r"日期：\d{4}-\d\d-\d\d · 办公时间：\d\d:\d\d–\d\d:\d\d", header), header
    assert text(page.select_one(".signature")) == "检查人：____________ 日期：____________"
    assert text(english.select_one(".signature")) == "Checked by: ____________ Date: ____________"


# Lists: Chinese enumerates with 、, English with ", ".
def assert_listed(chinese: str, english: str, chinese_items, english_items) -> None:
    assert "、".join(chinese_items) in chinese, chinese
    assert_chinese(chinese)
    assert ", ".join(english_items) in english and "、" not in english, english


async def test_overdue_disinfection_points_are_listed_in_the_readers_language(
    client_as, monkeypatch
):
    for name in ("东门扶手", "西门扶手"):
        await a_point(name, times=4)
    late = hall_time(A_MONDAY, (await load_policy()).hall_closes, minutes=30)
    monkeypatch.setattr(clock, "now", lambda: late)
    async with client_as("office") as office:
        page = soup(await office.get("/office/disinfection/"))
        english = soup(await office.get("/office/disinfection/", headers=EN))
    chinese, english = (text(p.select_one("#overdue-points")) for p in (page, english))
    assert chinese.startswith("消毒超时：") and english.startswith("Overdue: ")
    assert_listed(chinese, english, ["东门扶手", "西门扶手"], ["东门扶手", "西门扶手"])


async def test_supplies_running_low_are_listed_in_the_readers_language(client_as):
    async with client_as("office") as office:
        office.headers["x-csrftoken"] = csrf_from((await office.get("/office/supplies/")).text)
        for name in ("N95口罩", "手套"):
            await add_item(office, name, low=10)
        page = soup(await office.get("/office/supplies/"))
        english = soup(await office.get("/office/supplies/", headers=EN))
    chinese, english = (text(p.select_one("#low-stock")) for p in (page, english))
    assert chinese.startswith("库存偏低或缺货：") and english.startswith("Low or out of stock: ")
    assert_listed(chinese, english, ["N95口罩", "手套"], ["N95口罩", "手套"])


async def test_the_days_duty_phones_are_listed_in_the_readers_language(client_as):
    today = clock.today()
    people = await Person.select(Person.id, Person.name).where(Person.group_role == "").limit(2)
    for person, (start, end), phone in zip(
        people, [("00:00", "12:00"), ("12:00", "24:00")], ["12345", "67890"], strict=True
    ):
        await DutyShift.insert(
            DutyShift(
                id=uuid.uuid4(), key=f"phone-{today}-{start}", day=today, post=Post.phone,
                person=person["id"], start=start, end=end, phone=phone,
            )
        )  # fmt: skip
    async with client_as("office") as office:
        page = soup(await office.get("/duty"))
        english = soup(await office.get("/duty", headers=EN))
    chinese, english = (text(p.select_one(".phones")) for p in (page, english))
    first, second = (p["name"] for p in people)
    assert_listed(
        chinese,
        english,
        [f"12345（{first} 00:00–12:00）", f"67890（{second} 12:00–24:00）"],
        [f"12345 ({first} 00:00–12:00)", f"67890 ({second} 12:00–24:00)"],
    )


async def test_a_zero_reports_counts_below_the_records_are_listed_in_the_readers_language(
    client_as, monkeypatch
):
    day = clock.today() + dt.timedelta(days=50)
    start, _ = clock.day_bounds(day)
    archive = (await Department.select().where(Department.name == "档案室").first())["id"]
    person = await Person.select(Person.id).where(Person.department == archive).first()
    answers = {
        "temperature": "38.2", "symptoms": [], "left_city": "no", "outbreak_contact": "no",
        "household_symptoms": "no", "work_mode": "on_site",
    }  # fmt: skip
    await submit_declaration(
        person["id"], answers, Actor(username="staff"), Policy(),
        submission_id=new_entry_id(), now=start + dt.timedelta(hours=8),
    )  # fmt: skip
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(hours=9, minutes=30))
    async with client_as("office") as office:
        response = await office.get(f"/zero-report/{archive}")
        office.headers["x-csrftoken"] = csrf_from(response.text)
        page = soup(response)
        form = page.select_one("#round-am form.zero-form")
        values = {i["name"]: i.get("value", "") for i in form.select("input")}
        widget = soup(
            await office.post(
                form["hx-post"], data={**values, "at_home": "0", "fever": "0"}, headers=HTMX
            )
        )
        english = soup(await office.get(f"/zero-report/{archive}", headers=EN))
    chinese, english = (text(p.select_one("#round-am .mismatch")) for p in (widget, english))
    assert chinese.startswith("少于记录（瞒报核查）：") and english.startswith(
        "Lower than the records: "
    )
    assert_listed(chinese, english, ["在家 0 < 1", "发热 0 < 1"], ["At home 0 < 1", "Fever 0 < 1"])


async def test_a_visitors_symptoms_are_listed_in_the_readers_language(client_as):
    entry = new_entry_id()
    form = {
        "name": "咳嗽乏力", "phone": "13712340001", "temperature": "36.6",
        "symptoms": ["cough", "fatigue"],
    }  # fmt: skip
    await checks.record_visitor_check(entry, form, Actor(username="desk"), Policy())
    async with client_as("office") as office:
        page = soup(await office.get(f"/office/visitors/{entry}"))
        english = soup(await office.get(f"/office/visitors/{entry}", headers=EN))
    chinese, english = (
        text(p.find("dt", string=label).find_next_sibling("dd"))
        for p, label in ((page, "症状"), (english, "Symptoms"))
    )
    assert chinese == "咳嗽、乏力" and english == "Cough, Fatigue"


async def test_a_persons_history_reads_in_the_readers_punctuation(client_as):
    person = await Person.select(Person.id).where(Person.group_role == "").first()
    answers = {
        "temperature": "36.5", "symptoms": ["cough", "fatigue"], "left_city": "no",
        "outbreak_contact": "no", "household_symptoms": "no", "work_mode": "on_site",
    }  # fmt: skip
    for by_head in (False, True):  # the head enters the same answers again
        await submit_declaration(
            person["id"], answers, Actor(username="head" if by_head else "staff"), Policy(),
            submission_id=new_entry_id(), by_head=by_head,
        )  # fmt: skip
    await status.clear_to_work(person["id"], "复查正常", Actor(username="office"))
    async with client_as("office") as office:
        page = soup(await office.get(f"/health/people/{person['id']}"))
        english = soup(await office.get(f"/health/people/{person['id']}", headers=EN))
    summary, english_summary = (
        text(p.select_one(".history .entry .name")) for p in (page, english)
    )
    assert_listed(summary, english_summary, ["咳嗽", "乏力"], ["Cough", "Fatigue"])
    revised, english_revised = (text(p.select(".revisions li")[-1]) for p in (page, english))
    assert re.match(r"\d\d:\d\d:\d\d（由部门负责人代填）", revised), revised
    assert_chinese(revised)
    assert re.match(r"\d\d:\d\d:\d\d \(Entered by the department head\)", english_revised)
    causes, english_causes = (
        [text(li.find_all("span", recursive=False)[2]) for li in p.select(".status-history li")]
        for p in (page, english)
    )
    assert "申报中有风险项：症状" in causes and "办公室确认可返岗：复查正常" in causes, causes
    for cause in causes:
        assert_chinese(cause)
    assert "Risk answers in the declaration: Symptoms" in english_causes, english_causes
    assert "Cleared by the office: 复查正常" in english_causes, english_causes
