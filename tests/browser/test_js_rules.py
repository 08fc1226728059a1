"""The phone's copy of SPEC rule 3 (web/static/js/rules.js), run in Chromium against the
Python rules (server/checks/rules.py): every case of tests/unit/checks/test_rules.py, and the
corners where JavaScript and Python disagree unless ported with care (rounding ties, float
syntax, Unicode digits, the values a message names)."""

from __future__ import annotations

import pytest

from server.checks import rules
from server.checks.service import validate_visitor
from server.policy.service import Policy
from tests.unit.checks import test_rules as python_cases

pytestmark = pytest.mark.browser

POLICY = Policy()
STRICTER = Policy(fever_threshold=37.5)
# rules.js names each problem by a code; the page shows the msgid the Python rule raises.
CODES = {
    "Enter the temperature as a number, e.g. 36.5": "temperature_not_number",
    "%(value)s °C is outside %(low)s–%(high)s °C: measure again, this is a misread": (
        "temperature_out_of_range"
    ),
    "Enter the visitor's name": "name_missing",
    "The name is too long (at most 50 characters)": "name_too_long",
    "Enter an 11-digit mobile number, e.g. 13812345678": "phone_invalid",
    "This ID-card number is not valid (check digit)": "id_number_invalid",
}


def cases(test) -> list:
    """The parameters of one of test_rules.py's tables."""
    return list(test.pytestmark[0].args[1])


def js_policy(policy: Policy) -> dict:
    return {
        k: getattr(policy, k)
        for k in ("fever_threshold", "min_valid_temperature", "max_valid_temperature")
    }


def problems(bad: rules.Invalid) -> list:
    return [
        {
            "field": p.field,
            "code": CODES[p.message],
            "params": {k: str(v) for k, v in p.params.items()},
        }
        for p in bad.problems
    ]


def python_temperature(text: str):
    try:
        value = rules.parse_temperature(text, POLICY)
    except rules.Invalid as bad:
        return {"problems": problems(bad)}
    return {"value": value}


TEMPERATURES = (
    [text for text, _ in cases(python_cases.test_valid_readings_round_to_a_tenth)]
    + cases(python_cases.test_readings_outside_the_valid_range_are_misreads)
    + cases(python_cases.test_non_numbers_are_refused)
    + ["36.45", "37.75", "36.25", "36.35", "42.95", "37.3", "37.29999", "36,5", "+36.5", ".5"]
    + ["5.", "3.65e1", "365e-1", "3_6.5", "3__6", "_36", "36.5.1", "  ", "nan", "-inf"]
    + [
        "Infinity",
        "1e400",
        "-0.04",
        "\u0033\u0036\u002e\u0035",
        "３６.５",
        "٣٦.٥",
        "𝟑𝟔.𝟓",
        "36.5\n",
    ]
)

VISITOR_FORMS = [
    {"name": "王五", "phone": "13712345678", "temperature": "36.6", "travel_or_contact": "no"},
    {
        "name": "  赵六 ",
        "phone": "137 1234 5678",
        "id_number": "11010519491231002x",
        "purpose": "A01 企业开办",
        "temperature": "37,25",
        "symptoms": ["other", "cough", "bogus"],
        "symptoms_other": "头痛",
        "travel_or_contact": "yes",
    },
    {"name": "", "phone": "12345", "id_number": "110105194912310021", "temperature": "45"},
    {"name": "长" * 51, "phone": "13812345678", "temperature": "abc", "symptoms": ["fatigue"]},
    {"name": "𠀀" * 50, "phone": "1381234567８", "temperature": "38", "symptoms_other": "x"},
    {
        "name": "钱七",
        "phone": "１３８ １２３４ ５６７８",
        "id_number": "１１０１０５１９４９１２３１００２ｘ",
        "temperature": "３６．５",
    },
]


def python_visitor(form: dict):
    try:
        fields = validate_visitor(form, POLICY)
    except rules.Invalid as bad:
        return {"problems": problems(bad)}
    return {"fields": fields}


RUN = """({policy, stricter, temperatures, abnormal, first, second, ids, mobiles, forms}) => {
  const r = hallwatchRules;
  const attempt = (work) => {
    try { return work(); } catch (bad) {
      if (!(bad instanceof r.Invalid)) throw bad;
      return {problems: bad.problems};
    }
  };
  return {
    temperatures: temperatures.map((t) => attempt(() => ({value: r.parseTemperature(t, policy)}))),
    abnormal: abnormal.map(([v]) => r.isAbnormal(v, policy)),
    stricter: [37.3, 37.5].map((v) => r.isAbnormal(v, stricter)),
    first: first.map(([t, s, travel]) => r.firstReadingStatus(t, s, travel, policy)),
    second: second.map(([t]) => r.remeasureStatus(t, policy)),
    ids: ids.map(([n]) => r.isIdNumber(n)),
    mobiles: mobiles.map(([p]) => r.isMobile(p)),
    forms: forms.map((f) => attempt(() => ({fields: r.cleanVisitor(f, policy)}))),
  };
}"""


async def test_the_phone_applies_rule_3_as_the_server_does(new_context):
    page = await (await new_context()).new_page()
    await page.goto("/login")
    await page.add_script_tag(url="/static/js/rules.js")
    abnormal = cases(python_cases.test_threshold_is_inclusive)
    first = cases(python_cases.test_first_reading)
    second = cases(python_cases.test_remeasure)
    ids = cases(python_cases.test_id_numbers)
    mobiles = cases(python_cases.test_mobiles)
    js = await page.evaluate(
        RUN,
        {
            "policy": js_policy(POLICY),
            "stricter": js_policy(STRICTER),
            "temperatures": TEMPERATURES,
            "abnormal": abnormal,
            "first": first,
            "second": second,
            "ids": ids,
            "mobiles": mobiles,
            "forms": VISITOR_FORMS,
        },
    )

    for text, result in zip(TEMPERATURES, js["temperatures"], strict=True):
        assert result == python_temperature(text), text
    assert js["abnormal"] == [rules.is_abnormal(v, POLICY) for v, _ in abnormal]
    assert js["abnormal"] == [expected for _, expected in abnormal]
    assert js["stricter"] == [rules.is_abnormal(v, STRICTER) for v in (37.3, 37.5)]
    assert js["first"] == [rules.first_reading_status(t, s, tr, POLICY) for t, s, tr, _ in first]
    assert js["first"] == [expected for *_, expected in first]
    assert js["second"] == [expected for _, expected in second]
    assert js["ids"] == [rules.is_id_number(n) for n, _ in ids]
    assert js["ids"] == [expected for _, expected in ids]
    assert js["mobiles"] == [expected for _, expected in mobiles]
    for form, result in zip(VISITOR_FORMS, js["forms"], strict=True):
        assert result == python_visitor(form), form
