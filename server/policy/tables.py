from piccolo.columns import Text, Varchar
from piccolo.table import Table


class Setting(Table):
    """One overridden policy value, stored as JSON text; absent keys take the default."""

    key = Varchar(length=50, primary_key=True)
    value = Text()
