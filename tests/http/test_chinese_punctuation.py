"""Sentences the templates put together read in Chinese with Chinese punctuation: a label and
its value take the full-width colon (今日来人登记：7), a remark full-width brackets, a sentence
ends with 。 — and the same pages in English keep ": ", " (…)" and ".". Numbers, units and
times stay as they are (37.6 °C, 08:30)."""

import re
import uuid

import pytest
from bs4 import BeautifulSoup

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


async def test_the_disinfection_sheet_labels_its_date_and_signature(client_as):
    async with client_as("office") as office:
        page = soup(await office.get("/office/disinfection/sheet"))
        english = soup(await office.get("/office/disinfection/sheet", headers=EN))
    header = text(page.select("body > p")[0])
    assert re.fullmatch(r"日期：\d{4}-\d\d-\d\d · 办公时间：\d\d:\d\d–\d\d:\d\d", header), header
    assert text(page.select_one(".signature")) == "检查人：____________ 日期：____________"
    assert text(english.select_one(".signature")) == "Checked by: ____________ Date: ____________"
