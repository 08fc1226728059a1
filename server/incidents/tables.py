from enum import StrEnum

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IncidentStatus(StrEnum):
    open = "open"
    transferred = "transferred"  # 移送
    cleared = "cleared"
    closed = "closed"


class StepKind(StrEnum):
    """The plan's timeline, in order (三(二)): detected → held → reported to the bureau's
    leading-group office → reported to the district office and CDC → transferred or cleared
    → closed; notes may come at any time."""

    detected = "detected"
    held = "held"
    reported_office = "reported_office"
    reported_district = "reported_district"
    transferred = "transferred"
    cleared = "cleared"
    closed = "closed"
    note = "note"


class Incident(Table):
    """One case. Who it concerns is copied from the record that raised it, so the incident
    outlives the visitor record's purge."""

    id = UUID(primary_key=True)
    source = Varchar(length=20)  # visitor_check, staff_check, declaration, manual
    source_id = Varchar(length=64, unique=True, null=True, default=None)
    subject = Varchar(length=60)
    place = Varchar(length=100, default="")
    summary = Varchar(length=200, default="")
    status = Varchar(length=12, choices=IncidentStatus, default=IncidentStatus.open, index=True)
    detected_at = Timestamptz(index=True)
    district_deadline = Timestamptz()
    created_by = Varchar(length=50, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class IncidentStep(Table, tablename="incident_step"):
    id = UUID(primary_key=True)
    incident = ForeignKey(Incident, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=StepKind)
    at = Timestamptz()
    by = Varchar(length=50)
    details = JSON(default={})
    recorded_at = Timestamptz(default=TimestamptzNow())


class Measure(StrEnum):
    observation = "observation"  # 医学观察
    isolation = "isolation"  # 隔离


class ContactKind(StrEnum):
    visitor = "visitor"  # a visitor check near the case
    staff = "staff"  # a person on the roster


class CloseContact(Table, tablename="close_contact"):
    """A close contact (密切接触者) the office confirmed. `key` is "<incident>|<kind>|<ref>",
    unique, so confirming the same suggestion twice stores one contact. Name and phone are
    copied, because the contact is followed after the visitor record is purged.

    Observation ends by itself when the clock reaches `end_on` (no follow-up visit needed on
    the last day, unlike SORMAS #3791); `released_on` ends it earlier by the office's hand."""

    id = UUID(primary_key=True)
    key = Varchar(length=120, unique=True)
    incident = ForeignKey(Incident, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=10, choices=ContactKind)
    ref = Varchar(length=64)  # the visitor check's id, or the person's id
    name = Varchar(length=60)
    phone = Varchar(length=20, default="")
    reason = Varchar(length=20, default="")  # same_window, same_group, on_duty, ...
    measure = Varchar(length=12, choices=Measure, default=Measure.observation)
    start_on = Date()
    end_on = Date(index=True)
    released_on = Date(null=True, default=None)
    confirmed_by = Varchar(length=50, default="")
    confirmed_at = Timestamptz(default=TimestamptzNow())


class ContactFollowUp(Table, tablename="contact_follow_up"):
    """A daily follow-up of a contact (每日随访): temperature, symptoms, a note. `abnormal`: a
    fever by the threshold in force when it was recorded, or symptoms; kept, so a later change
    of the setting does not rewrite what the office was told."""

    id = UUID(primary_key=True)
    contact = ForeignKey(CloseContact, on_delete=OnDelete.restrict, index=True)
    day = Date()
    temperature = DoublePrecision(null=True, default=None)
    symptoms = Varchar(length=100, default="")
    abnormal = Boolean(default=False)
    note = Varchar(length=200, default="")
    by = Varchar(length=50)
    at = Timestamptz(default=TimestamptzNow())
