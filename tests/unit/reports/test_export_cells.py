"""The district report's export speaks the file's language in the cells it builds: the
counts that differ from the records as a list, and who submitted on a department's behalf."""

import datetime as dt

import pytest

from server.reports.export import row_values
from server.reports.tables import ReportKind

ROW = {
    "name": "办公室",
    "round": "day",
    "state": "late",
    "nil": False,
    "staff": 6,
    "mismatch": ["at_home", "fever"],
    "report": {
        "kind": ReportKind.submitted,
        "submitted_by": "赵净",
        "on_behalf": True,
        "submitted_at": dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC),
        "note": "",
        **dict.fromkeys(("on_site", "at_home", "on_leave", "fever", "suspected"), 0),
        "close_contacts": 0,
    },
}


@pytest.mark.parametrize(
    ("locale", "by", "mismatch"),
    [
        ("zh", "赵净（由办公室代报）", "在家、发热"),
        ("en", "赵净 (by the office on the department's behalf)", "At home, Fever"),
    ],
)
def test_the_cells_are_punctuated_for_the_files_language(locale, by, mismatch):
    cells = row_values(locale, ROW, 1)
    assert cells[-4] == by and cells[-1] == mismatch
