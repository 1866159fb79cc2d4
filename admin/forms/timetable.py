"""Forms of the timetable: a series, and cancelling, moving or re-sizing one session."""

from __future__ import annotations

from collections.abc import Callable

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length

from admin.forms import (
    ClockField,
    DayMonthYearField,
    Required,
    WholeNumberField,
    answered,
)
from admin.forms.languages import add_language_fields, languages_given
from frontdoor.fields import CleanForm, optional_id, to_id
from frontdoor.models import AGE_BANDS, SessionSeries
from frontdoor.models.timetable import JOINING_LINK_MAX
from frontdoor.timetable import (
    SeriesInput,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


BOOKING_MODES = {"drop_in": "Drop-in", "booking": "Booking only", "both": "Booking and drop-in"}
DELIVERIES = {"in_person": "In person", "online": "Online", "hybrid": "Online and at the hub"}


def _when(field: str, value: str) -> Callable[[FlaskForm], bool]:
    return lambda form: form[field].data == value


class SeriesForm(CleanForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[Required("Enter a title"), Length(max=200, message="Title is too long")],
    )
    description = TextAreaField(
        "Description (optional)",
        description="What happens and who it is for. Families see this.",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Description must be 2000 characters or fewer")],
    )
    category_id = SelectField("Category (optional)", coerce=optional_id, widget=GovSelect())
    age_bands = SelectMultipleField(
        "Ages (optional)", choices=AGE_BANDS, widget=GovCheckboxesInput()
    )
    weekdays = SelectMultipleField(
        "Days", coerce=int, choices=dict(enumerate(WEEKDAYS)), widget=GovCheckboxesInput()
    )
    interval_weeks = WholeNumberField(
        "Every how many weeks",
        "Number of weeks",
        1,
        8,
        default=1,
        description="1 is every week, 2 is every other week",
        validators=[Required("Enter how often it happens, in weeks")],
    )
    start_date = DayMonthYearField(
        "Start date",
        description="For example, 7 9 2026",
        validators=[Required("Enter the start date")],
    )
    ends = RadioField(
        "Ends",
        choices={"never": "No end date", "on": "On a date", "after": "After a number of sessions"},
        default="never",
        widget=GovRadioInput(),
    )
    until_date = DayMonthYearField(
        "End date", validators=[Required("Enter the end date", when=_when("ends", "on"))]
    )
    occurrence_count = WholeNumberField(
        "Number of sessions",
        "Number of sessions",
        1,
        500,
        validators=[Required("Enter the number of sessions", when=_when("ends", "after"))],
    )
    start_time = ClockField(
        "Start time",
        description="For example, 10:00 or 14:30",
        validators=[Required("Enter the start time")],
    )
    end_time = ClockField(
        "End time",
        description="For example, 11:30",
        validators=[Required("Enter the end time")],
    )
    skip_bank_holidays = BooleanField("Skip bank holidays", default=True, widget=GovCheckboxInput())
    delivery = RadioField(
        "Where it runs",
        choices=DELIVERIES,
        default="in_person",
        widget=GovRadioInput(),
    )
    # Required and checked (https only) by the timetable's rules, with their words.
    joining_link = StringField(
        "Joining link",
        description="For example, https://meet.example.org/abc-defg. Only families with "
        "a place get it, in their confirmation and reminders: it is never on a public page",
        widget=GovTextInput(),
        validators=[Length(max=JOINING_LINK_MAX, message="Joining link is too long")],
    )
    room_id = SelectField("Room (optional)", coerce=optional_id, widget=GovSelect())
    lead_ids = SelectMultipleField(
        "Who leads it (optional)",
        coerce=to_id,
        description="Session leads and practitioners at this hub",
        widget=GovCheckboxesInput(),
    )
    lead_welcomes_room = BooleanField(
        "The lead welcomes the room",
        description="Drop-in families show on the arrivals board as one card per session, "
        "for the lead to welcome together. First-timers and requests to talk to someone "
        "still come to someone by name",
        widget=GovCheckboxInput(),
    )
    # The service checks the range, so 0 and 501 get the same words as everywhere.
    capacity = WholeNumberField(
        "Capacity",
        "Capacity",
        description="The most that can come",
        validators=[Required("Enter the capacity")],
    )
    capacity_unit = RadioField(
        "Capacity is counted in",
        choices={"families": "Families", "people": "People"},
        default="families",
        widget=GovRadioInput(),
    )
    booking_mode = RadioField(
        "How families come",
        choices=BOOKING_MODES,
        default="drop_in",
        widget=GovRadioInput(),
    )
    drop_in_places = WholeNumberField(
        "Places held for drop-in",
        "Places held for drop-in",
        validators=[
            Required("Enter the places held for drop-in", when=_when("booking_mode", "both"))
        ],
    )
    booking_opens_days = WholeNumberField(
        "Booking opens, days before",
        "Days before booking opens",
        0,
        90,
        default=14,
        validators=[Required("Enter how many days before booking opens")],
    )
    booking_closes_minutes = WholeNumberField(
        "Booking closes, minutes before",
        "Minutes before booking closes",
        0,
        1440,
        default=60,
        validators=[Required("Enter how many minutes before booking closes")],
    )
    confirm_clash = BooleanField(
        "Save anyway: the room is double-booked on purpose", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save series", widget=GovSubmitInput())

    def to_input(self, hub_id: int) -> SeriesInput:
        return SeriesInput(
            hub_id=hub_id,
            title=self.title.data.strip(),
            description=(self.description.data or "").strip(),
            category_id=self.category_id.data,
            room_id=self.room_id.data,
            age_bands=self.age_bands.data,
            lead_ids=self.lead_ids.data,
            lead_welcomes_room=self.lead_welcomes_room.data,
            delivery=self.delivery.data,
            joining_link=self.joining_link.data or "",
            weekdays=self.weekdays.data,
            interval_weeks=answered(self.interval_weeks.data),
            start_date=answered(self.start_date.data),
            until_date=self.until_date.data,
            occurrence_count=self.occurrence_count.data,
            start_time=answered(self.start_time.data),
            end_time=answered(self.end_time.data),
            skip_bank_holidays=self.skip_bank_holidays.data,
            capacity=answered(self.capacity.data),
            capacity_unit=self.capacity_unit.data,
            booking_mode=self.booking_mode.data,
            drop_in_places=self.drop_in_places.data or 0,
            booking_opens_days=answered(self.booking_opens_days.data),
            booking_closes_minutes=answered(self.booking_closes_minutes.data),
            translations=languages_given(self, SessionSeries),
        )


add_language_fields(SeriesForm, SessionSeries, areas=("description",))


class CancelForm(CleanForm):
    # No "required" check here: the service says a reason is needed.
    reason = TextAreaField(
        "Reason for cancelling",
        description="For example, “Staff illness”. Families who booked will see this.",
        widget=GovTextArea(),
        validators=[Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitField("Cancel this session", widget=GovSubmitInput())


class MoveForm(CleanForm):
    day = DayMonthYearField("Date", validators=[Required("Enter the date")])
    start_time = ClockField("Start time", validators=[Required("Enter the start time")])
    end_time = ClockField("End time", validators=[Required("Enter the end time")])
    room_id = SelectField("Room", coerce=optional_id, widget=GovSelect())
    confirm_clash = BooleanField(
        "Move anyway: the room is double-booked on purpose", widget=GovCheckboxInput()
    )
    submit = SubmitField("Move this session", widget=GovSubmitInput())


class CapacityForm(CleanForm):
    capacity = WholeNumberField("Capacity", "Capacity", validators=[Required("Enter the capacity")])
    submit = SubmitField("Change capacity", widget=GovSubmitInput())


class ConfirmForm(CleanForm):
    """A button that changes something: only the CSRF token to check."""
