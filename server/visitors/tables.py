from piccolo.columns import UUID, Boolean, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Preregistration(Table, tablename="visitor_prereg"):
    """A visitor's own pre-registration (预约登记), made on their phone from the hall's QR code
    without a login: exactly what the form asks, nothing more (no address, no device). The
    desk finds it by its short code and adds only the temperature. It expires at the end of
    the next day and is purged with the visitor records after the retention period."""

    id = UUID(primary_key=True)  # made when the form was rendered: a resubmission is one row
    code = Varchar(length=8, unique=True)
    name = Varchar(length=50)
    phone = Varchar(length=11)
    purpose = Varchar(length=100, default="")
    symptoms = Varchar(length=100, default="")
    symptoms_other = Varchar(length=100, default="")
    travel_or_contact = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    expires_at = Timestamptz(index=True)
    # The visitor check made from it at the desk (the first one, if the code was used twice).
    check_id = UUID(null=True, default=None)
    used_at = Timestamptz(null=True, default=None)
