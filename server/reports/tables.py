from enum import StrEnum

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.org.tables import Department

# The counts a zero report carries, in the order the plan's form lists them.
COUNT_FIELDS = ("on_site", "at_home", "on_leave", "fever", "suspected", "close_contacts")


class ReportRound(StrEnum):
    """The day's report; while emergency response is on, a second one in the afternoon."""

    am = "am"
    pm = "pm"


class ReportKind(StrEnum):
    submitted = "submitted"  # counts given, all zero being a "nil" report (零报告)
    not_applicable = "not_applicable"  # the office: this department has nothing to report


class ZeroReport(Table, tablename="zero_report"):
    """One department's report for one day and round (每日零报告), as last submitted. Submitting
    again amends this row; every submission is kept in ZeroReportVersion."""

    id = UUID(primary_key=True)
    department = ForeignKey(Department, on_delete=OnDelete.restrict, index=True)
    day = Date(index=True)
    round = Varchar(length=2, choices=ReportRound)
    # "<department>|<day>|<round>": the database itself refuses a second report.
    slot_key = Varchar(length=40, unique=True)
    kind = Varchar(length=16, choices=ReportKind)
    on_site = Integer(default=0)
    at_home = Integer(default=0)
    on_leave = Integer(default=0)
    fever = Integer(default=0)
    suspected = Integer(default=0)
    close_contacts = Integer(default=0)
    note = Varchar(length=200, default="")
    submitted_by = Varchar(length=50)
    on_behalf = Boolean(default=False)  # the office submitted for the department
    first_submitted_at = Timestamptz()  # lateness is judged on the first submission
    submitted_at = Timestamptz()
    version = Integer(default=1)


class ZeroReportVersion(Table, tablename="zero_report_version"):
    """Each submission as it was sent. The id is the form's own (made when the form was
    rendered), so a resubmitted form stores nothing twice."""

    id = UUID(primary_key=True)
    report = ForeignKey(ZeroReport, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    kind = Varchar(length=16, choices=ReportKind)
    on_site = Integer(default=0)
    at_home = Integer(default=0)
    on_leave = Integer(default=0)
    fever = Integer(default=0)
    suspected = Integer(default=0)
    close_contacts = Integer(default=0)
    note = Varchar(length=200, default="")
    submitted_by = Varchar(length=50)
    on_behalf = Boolean(default=False)
    submitted_at = Timestamptz()
