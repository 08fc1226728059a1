from piccolo.columns import UUID, Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.accounts.tables import UserAccount
from server.org.tables import Person


class TrainingSession(Table, tablename="training_session"):
    """One training session (人员技术培训, 一(二)3): a topic, a day, a trainer. The id is made
    when the form is rendered, so a resubmission stores one session."""

    id = UUID(primary_key=True)
    topic = Varchar(length=100)
    held_on = Date(index=True)
    trainer = Varchar(length=50)
    place = Varchar(length=100, default="")
    notes = Varchar(length=500, default="")
    created_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class TrainingAttendance(Table, tablename="training_attendance"):
    """One person from the roster attended one session: the person's training record."""

    key = Varchar(length=80, primary_key=True)  # "<session id>|<person id>"
    session = ForeignKey(TrainingSession, null=False, on_delete=OnDelete.restrict, index=True)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.restrict, index=True)
    recorded_at = Timestamptz(default=TimestamptzNow())
