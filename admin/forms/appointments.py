"""Forms of the staff appointment pages: types, weekly availability, leave, and
cancelling or moving a booked appointment."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from admin.forms import (
    ClockField,
    DayMonthYearField,
    WholeNumberField,
    answered,
)
from booking.appointment_setup import (
    BUFFER_RANGE,
    DAYS_AHEAD_RANGE,
    DURATION_RANGE,
    MAX_REASON,
    MAX_TYPE_NAME,
    NOTICE_RANGE,
    TypeInput,
    WindowInput,
)
from frontdoor import clock
from frontdoor.fields import CleanForm, to_id, whole_id
from frontdoor.timetable import local_datetime
from frontdoor.words.staff import staff_words

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _required(message: str):
    def check(form: FlaskForm, field: Field) -> None:
        if not field.errors and field.data is None:
            raise ValidationError(message)

    return check


class TypeForm(CleanForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a name"), Length(max=MAX_TYPE_NAME)],
    )
    description = TextAreaField(
        "Description for families (optional)",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Description must be 2000 characters or fewer")],
    )
    duration_minutes = WholeNumberField(
        "Length in minutes",
        "Length",
        *DURATION_RANGE,
        validators=[_required("Enter the length in minutes")],
    )
    buffer_minutes = WholeNumberField(
        "Minutes kept free afterwards, for notes",
        "Time kept free afterwards",
        *BUFFER_RANGE,
        default=0,
        validators=[_required("Enter the minutes kept free afterwards, or 0")],
    )
    min_notice_minutes = WholeNumberField(
        "Minimum notice in minutes",
        "Minimum notice",
        *NOTICE_RANGE,
        default=120,
        description="Families cannot book sooner than this before the start",
        validators=[_required("Enter the minimum notice in minutes, or 0")],
    )
    max_days_ahead = WholeNumberField(
        "Furthest ahead families can book, in days",
        "Furthest ahead",
        *DAYS_AHEAD_RANGE,
        default=28,
        validators=[_required("Enter how many days ahead families can book")],
    )
    # Checked by the service, which says so in plain words.
    practitioner_ids = SelectMultipleField(
        "Practitioners offering it",
        coerce=to_id,
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    active = BooleanField("Families can book it", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save", widget=GovSubmitInput())

    def to_input(self, hub_id: int) -> TypeInput:
        return TypeInput(
            hub_id=hub_id,
            name=self.name.data or "",
            description=self.description.data or "",
            duration_minutes=answered(self.duration_minutes.data),
            buffer_minutes=answered(self.buffer_minutes.data),
            min_notice_minutes=answered(self.min_notice_minutes.data),
            max_days_ahead=answered(self.max_days_ahead.data),
            active=bool(self.active.data),
            practitioner_ids=list(self.practitioner_ids.data or []),
        )


class WindowForm(CleanForm):
    weekday = SelectField(
        "Day",
        coerce=int,
        choices=[SelectChoice(str(n), name) for n, name in enumerate(WEEKDAYS)],
        widget=GovSelect(),
        validate_choice=True,
    )
    start_time = ClockField("From", validators=[_required("Enter a start time, like 09:00")])
    end_time = ClockField("Until", validators=[_required("Enter an end time, like 12:30")])
    room_id = SelectField("Room", widget=GovSelect(), validate_choice=True)
    valid_from = DayMonthYearField(
        "First date (optional)",
        description="Leave blank to start now. For example, 27 3 2027",
        validators=[Optional()],
    )
    valid_until = DayMonthYearField(
        "Last date (optional)",
        description="Leave blank to carry on",
        validators=[Optional()],
    )
    submit = SubmitField("Add these times", widget=GovSubmitInput())

    def to_input(self, staff_id: int, hub_id: int) -> WindowInput:
        return WindowInput(
            staff_id=staff_id,
            hub_id=hub_id,
            weekday=self.weekday.data,
            start_time=answered(self.start_time.data),
            end_time=answered(self.end_time.data),
            room_id=int(self.room_id.data) if self.room_id.data else None,
            valid_from=self.valid_from.data,
            valid_until=self.valid_until.data,
        )


class LeaveForm(CleanForm):
    starts_on = DayMonthYearField(
        "From", validators=[_required("Enter the first day away, like 27 3 2027")]
    )
    start_time = ClockField(
        "Time away starts (optional)", description="Leave blank for the whole day"
    )
    ends_on = DayMonthYearField(
        "Until", validators=[_required("Enter the last day away, like 27 3 2027")]
    )
    end_time = ClockField("Time away ends (optional)", description="Leave blank for the whole day")
    reason = StringField(
        "Reason (optional)",
        widget=GovTextInput(),
        description="For example, annual leave or training. Families do not see this.",
        validators=[Length(max=MAX_REASON, message=staff_words("reason_too_long", max=MAX_REASON))],
    )
    submit = SubmitField("Add time away", widget=GovSubmitInput())

    def span(self) -> tuple[datetime, datetime]:
        first, last = answered(self.starts_on.data), answered(self.ends_on.data)
        starts = local_datetime(first, self.start_time.data or time(0), clock.LONDON)
        if self.end_time.data is None:
            ends = local_datetime(last + timedelta(days=1), time(0), clock.LONDON)
        else:
            ends = local_datetime(last, self.end_time.data, clock.LONDON)
        return starts, ends


class ConfirmForm(CleanForm):
    """Only the CSRF token: the button says what it does."""


class CancelAppointmentForm(CleanForm):
    reason = TextAreaField(
        "Why is it cancelled?",
        widget=GovTextArea(),
        description="The family is sent this, so write it for them.",
        validators=[
            InputRequired("Enter a reason. The family is sent it"),
            Length(max=MAX_REASON, message=staff_words("reason_too_long", max=MAX_REASON)),
        ],
    )


def read_slot(posted: str | None) -> tuple[int, datetime] | None:
    """(practitioner id, start) from a chosen time, ``<id>@<ISO start>`` as the
    slot radios post it (``templates/admin/appointments/_slots.html``), or None."""
    staff_id, _, starts = (posted or "").partition("@")
    try:
        starts_at = datetime.fromisoformat(starts)
    except ValueError:
        return None
    practitioner_id = whole_id(staff_id)
    if practitioner_id is None or starts_at.tzinfo is None:
        return None
    return practitioner_id, starts_at


class MoveAppointmentForm(CleanForm):
    slot = StringField("New time")

    def chosen(self) -> tuple[int, datetime] | None:
        return read_slot(self.slot.data)
