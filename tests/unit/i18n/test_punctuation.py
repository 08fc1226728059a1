"""A label and its value, a text and its remark: Chinese punctuation in Chinese (full-width
colon and brackets, no spaces), English punctuation in English."""

import datetime as dt

from server.i18n import aside, labelled
from server.notify.digest import digest_body


def test_a_label_and_its_value():
    assert labelled("zh", "日期", "2020-02-01") == "日期：2020-02-01"
    assert labelled("en", "Date", "2020-02-01") == "Date: 2020-02-01"


def test_a_remark_in_brackets():
    assert aside("zh", "张三", "zhangsan") == "张三（zhangsan）"
    assert aside("en", "Zhang San", "zhangsan") == "Zhang San (zhangsan)"


def test_the_digest_is_chinese_line_by_line():
    at = dt.datetime(2020, 2, 10, 0, 30, tzinfo=dt.UTC)
    rows = [{"created_at": at, "subject": "因病缺勤", "body": "王萍自 2020-02-10 起因病缺勤。"}]
    assert digest_body(rows).endswith(" 因病缺勤：王萍自 2020-02-10 起因病缺勤。")
