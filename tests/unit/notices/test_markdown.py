"""Notice bodies: Markdown becomes HTML, and nothing that runs script survives."""

import pytest
from bs4 import BeautifulSoup

from server.notices.markdown import to_html

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    "<svg><script>alert(1)</script></svg>",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    "<object data=x></object><embed src=x><form action=x><input></form>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
]


def test_markdown_becomes_html():
    html = to_html(
        "## 就医指南\n\n**发热门诊**：区人民医院\n\n- 戴口罩\n- 勤洗手\n\n[地图](https://map.example/x)"
    )
    page = BeautifulSoup(html, "html.parser")
    assert page.h2.text == "就医指南"
    assert page.strong.text == "发热门诊"
    assert [li.text for li in page.select("li")] == ["戴口罩", "勤洗手"]
    assert page.a["href"] == "https://map.example/x"
    assert "noopener" in page.a["rel"]


def test_tables_render():
    page = BeautifulSoup(to_html("| 时间 | 地点 |\n|---|---|\n| 8:00 | 一楼 |"), "html.parser")
    assert [td.text for td in page.select("td")] == ["8:00", "一楼"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_that_runs_script_survives(attack):
    html = str(to_html(f"通知\n\n{attack}\n\n结束"))
    page = BeautifulSoup(html, "html.parser")
    assert not page.find_all(
        ["script", "iframe", "object", "embed", "form", "input", "svg", "style"]
    )
    for tag in page.find_all(True):
        assert not any(name.startswith("on") or name == "style" for name in tag.attrs), tag
        assert "javascript" not in tag.get("href", "").lower().replace("\t", ""), tag
    assert "结束" in page.text


def test_empty_body():
    assert str(to_html("")) == ""
