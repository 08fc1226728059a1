from enum import Enum

from piccolo.columns import JSON, UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IncidentStatus(str, Enum):
    open = "open"
    transferred = "transferred"  # 移送
    cleared = "cleared"
    closed = "closed"


class StepKind(str, Enum):
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
