"""The stamp of each cached table's last change (see server/cache)."""

from piccolo.columns import BigInt, Varchar
from piccolo.table import Table


class DataGeneration(Table, tablename="data_generation"):
    # A table's name; its stamp, a random number set anew by a trigger at every write to it.
    name = Varchar(length=63, primary_key=True)
    generation = BigInt()
