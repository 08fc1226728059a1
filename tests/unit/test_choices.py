"""A column's choices are StrEnums: a member then shows (str(), f-string, Jinja's {{ }}) as
the value the database stores. A `(str, Enum)` member shows as "Post.leader" instead, which
once reached the duty roster's data-post attributes and gap classes."""

from enum import StrEnum

from piccolo.table import Table

import server.app  # noqa: F401  (imports every feature's tables)


def all_tables(root=Table):
    for table in root.__subclasses__():
        yield table
        yield from all_tables(table)


def test_every_column_with_choices_takes_a_str_enum():
    columns = [
        (table.__name__, column._meta.name, column._meta.choices)
        for table in all_tables()
        for column in table._meta.columns
        if column._meta.choices is not None
    ]
    assert columns, "no column with choices found: the tables were not imported"
    not_str_enums = [(t, c) for t, c, choices in columns if not issubclass(choices, StrEnum)]
    assert not_str_enums == []
