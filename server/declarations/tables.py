from enum import StrEnum

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.accounts.tables import UserAccount
from server.org.tables import Person
from server.policy.service import Policy


class WorkMode(StrEnum):
    on_site = "on_site"  # 到岗
    from_home = "from_home"  # 居家办公
    leave = "leave"  # 请假


class WorkState(StrEnum):
    """Whether a person may come to work (SPEC rules 4 and 5)."""

    on_duty = "on_duty"
    stay_home = "stay_home"  # 暂不到岗，在家等候通知
    sick_absent = "sick_absent"  # 因病缺勤


class Declaration(Table, tablename="health_declaration"):
    """One staff member's health declaration (健康申报) for one local day. The id is made
    where the first submission was made; a later submission the same day amends this row and
    its answers are kept in DeclarationRevision."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    day = Date(index=True)
    # "<person id>|<day>": the database itself refuses a second declaration that day.
    day_key = Varchar(length=40, unique=True)
    temperature = DoublePrecision()
    # The fever threshold in force at the last submission: the day's counts judge the
    # temperature by it, so a later change of the setting does not rewrite what was declared.
    fever_threshold = DoublePrecision(default=Policy.fever_threshold)
    symptoms = Varchar(length=100, default="")
    symptoms_other = Varchar(length=100, default="")
    left_city = Boolean(default=False)
    left_city_where = Varchar(length=100, default="")
    outbreak_contact = Boolean(default=False)
    household_symptoms = Boolean(default=False)
    work_mode = Varchar(length=10, choices=WorkMode)
    note = Varchar(length=200, default="")
    risks = Varchar(length=100, default="")  # the risk answers found, comma-separated
    flags = Varchar(length=60, default="")  # declaration-fatigue flags, comma-separated
    by_head = Boolean(default=False)  # entered by the department head for the person
    entered_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)
    submitted_at = Timestamptz()  # the first submission: fatigue looks at its time of day
    updated_at = Timestamptz()
    version = Integer(default=1)
    device = Varchar(length=64, default="")
    clock_flag = Varchar(length=10, default="")


class DeclarationRevision(Table, tablename="declaration_revision"):
    """Each submission of a declaration as it was sent; the id is the submission's own, so a
    resubmitted form or a replayed sync entry stores nothing twice."""

    id = UUID(primary_key=True)
    declaration = ForeignKey(Declaration, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    answers = JSON(default={})
    submitted_at = Timestamptz()
    by_head = Boolean(default=False)
    entered_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)


class WorkStatus(Table, tablename="work_status"):
    """A person's current work status; a person without a row is on duty."""

    person = ForeignKey(Person, unique=True, on_delete=OnDelete.restrict)
    state = Varchar(length=12, choices=WorkState, default=WorkState.on_duty, index=True)
    since = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class WorkStatusChange(Table, tablename="work_status_change"):
    """Every change of a person's work status: who, when, from → to, why, with a note."""

    id = Serial(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    from_state = Varchar(length=12, choices=WorkState)
    to_state = Varchar(length=12, choices=WorkState)
    # declaration, sick_absence, office_clearance, desk_hold, close_contact (an isolation the
    # office ordered, server/incidents/contact_status.py), contact_follow_up (a fever or
    # symptoms at a close contact's follow-up, server/incidents/escalation.py)
    cause = Varchar(length=20)
    # the record that caused it: declaration, absence, desk check, close contact or follow-up
    ref = Varchar(length=64, default="")
    note = Varchar(length=300, default="")
    changed_by = Varchar(length=50, default="")
    at = Timestamptz(index=True)


class SickAbsence(Table, tablename="sick_absence"):
    """A sick absence (因病缺勤), followed up until the office clears the return."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    since = Date()
    symptoms = Varchar(length=200)
    saw_doctor = Boolean(default=False)
    diagnosis = Varchar(length=200, default="")
    registered_by = Varchar(length=50, default="")
    registered_at = Timestamptz()
    returned_on = Date(null=True, default=None)  # still open while this is empty
    cleared_by = Varchar(length=50, default="")
    clearance_note = Varchar(length=300, default="")


class FollowUp(Table, tablename="sick_absence_follow_up"):
    """One follow-up of a sick absence (追查): how the person is, asked by whom."""

    id = UUID(primary_key=True)
    absence = ForeignKey(SickAbsence, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(index=True)
    temperature = DoublePrecision(null=True, default=None)
    note = Varchar(length=300)
    by = Varchar(length=50, default="")
