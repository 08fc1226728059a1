"""The exports' cells in the reader's language: symptoms enumerated as that language does."""

import pytest

from server.checks.export import Cells


@pytest.mark.parametrize(
    "locale, other, cell",
    [
        ("zh", "", "咳嗽、乏力"),
        ("en", "", "Cough, Fatigue"),
        ("zh", "头痛", "咳嗽、乏力（头痛）"),
        ("en", "headache", "Cough, Fatigue (headache)"),
    ],
)
def test_a_visitors_symptoms_are_listed_in_the_exports_language(locale, other, cell):
    row = {"symptoms": "cough,fatigue", "symptoms_other": other}
    assert Cells(locale, "visitors", full=False).symptoms(row) == cell
