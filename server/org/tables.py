from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Integer, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class DepartmentKind(StrEnum):
    department = "department"
    resident_unit = "resident_unit"


class GroupRole(StrEnum):
    """Place in the leading group (领导小组)."""

    none = ""
    leader = "leader"  # 组长
    deputy = "deputy"  # 副组长
    member = "member"  # 成员


class Department(Table):
    """A department (股室/组/中心) or a resident unit (进驻单位) staffing hall windows."""

    name = Varchar(length=100, unique=True)
    kind = Varchar(length=20, default=DepartmentKind.department, choices=DepartmentKind)
    position = Integer(default=0)


class Window(Table, tablename="hall_window"):
    """A hall window (窗口) or service-group counter a visitor comes for."""

    code = Varchar(length=20, unique=True)
    name = Varchar(length=100)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    active = Boolean(default=True)


class Person(Table):
    """A member of staff (干部职工) on the roster."""

    name = Varchar(length=50, index=True)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    title = Varchar(length=100, default="")
    group_role = Varchar(length=10, default=GroupRole.none, choices=GroupRole)
    phone = Varchar(length=20, default="")
    active = Boolean(default=True)
