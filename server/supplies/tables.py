from enum import StrEnum

from piccolo.columns import UUID, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.accounts.tables import UserAccount
from server.org.tables import Department, Person


class MovementKind(StrEnum):
    """The three ways stock changes (二(二)2: 采购、管理、发放与记录)."""

    purchase = "purchase"  # 采购入库: adds
    issue = "issue"  # 发放/领取: takes away
    adjustment = "adjustment"  # 盘点调整: either way, always with a reason


class SupplyItem(Table, tablename="supply_item"):
    """A prevention or disinfection supply (防控物品/消毒物品): masks, disinfectant, gloves …
    There is no balance column: the balance is the sum of the item's movements."""

    id = UUID(primary_key=True)
    name = Varchar(length=50, unique=True)
    unit = Varchar(length=10)  # 只, 瓶, 副, 支 …, counted in whole units
    low_stock = Integer(default=0)  # at or below this balance the item is low
    created_at = Timestamptz(default=TimestamptzNow())


class StockMovement(Table, tablename="stock_movement"):
    """One line of the append-only stock ledger (台账); rows are never updated or deleted, a
    mistake is corrected by an adjustment. The id is made when the form is rendered, so a
    resubmitted form stores nothing twice."""

    id = UUID(primary_key=True)
    item = ForeignKey(SupplyItem, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=12, choices=MovementKind)
    quantity = Integer()  # signed: purchases +, issues −, adjustments either way
    day = Date(index=True)  # the day it was bought or handed over
    supplier = Varchar(length=100, default="")
    # 分 (1/100 yuan) as an integer, so sums are exact on SQLite and PostgreSQL alike.
    cost_fen = Integer(null=True, default=None)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    receiver = Varchar(length=50, default="")  # 领取人: who signed for an issue
    reason = Varchar(length=200, default="")  # why an adjustment; a note otherwise
    recorded_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())
