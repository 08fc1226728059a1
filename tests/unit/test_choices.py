"""A column's choices are StrEnums: a member then shows (str(), f-string, Jinja's {{ }}) as
the value the database stores. A `(str, Enum)` member shows as "Post.leader" instead, which
once reached the duty roster's data-post attributes and gap classes."""

from enum import StrEnum

from piccolo.conf.apps import Finder


def test_every_column_with_choices_takes_a_str_enum():
    columns = [
        (table.__name__, column._meta.name, column._meta.choices)
        for table in Finder().get_table_classes()  # the apps' tables, not a migration's copies
        for column in table._meta.columns
        if column._meta.choices is not None
    ]
    assert columns, "no column with choices found"
    not_str_enums = [(t, c) for t, c, choices in columns if not issubclass(choices, StrEnum)]
    assert not_str_enums == []
