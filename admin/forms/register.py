"""Forms of a session's register: booking on a family's behalf, cancelling, moving,
and raising the capacity. The booking form's party and details are reused by a
follow-up booked from a visit (``admin.forms.follow_ups``)."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from booking.contact import Contact, Party
from frontdoor.fields import CleanForm, to_id
from frontdoor.models import AGE_BANDS, CHILD_BANDS
from frontdoor.timetable import MAX_CAPACITY
from frontdoor.words.staff import staff_words


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" error is in plain words."""

    def __init__(self, *args, invalid: str = "Enter a whole number", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as error:
            self.data = None
            raise ValueError(self.invalid) from error


def _child_field_name(band: str) -> str:
    return "children_" + re.sub(r"\W", "_", band)


def child_band_fields() -> dict[str, WholeNumberField]:
    """How many children in each age band: booking from the register, and checking
    someone in at the desk."""
    return {
        _child_field_name(band): WholeNumberField(
            AGE_BANDS[band] if band == "pregnancy" else f"Children aged {AGE_BANDS[band]}",
            widget=GovTextInput(),
            default=0,
            validators=[Optional(), NumberRange(0, 20, "Enter a number between 0 and 20")],
            invalid="Enter how many children, as a number like 1",
        )
        for band in CHILD_BANDS
    }


class ChildBands:
    """A form with ``child_band_fields``: each child by age band, as bookings keep them."""

    def child_bands(self) -> tuple[str, ...]:
        children: list[str] = []
        for band in CHILD_BANDS:
            children += [band] * (getattr(self, _child_field_name(band)).data or 0)
        return tuple(children)

    def child_fields(self):
        return [getattr(self, _child_field_name(band)) for band in CHILD_BANDS]


class _BookFormBase(ChildBands, CleanForm):
    def party(self) -> Party:
        return Party(self.adults.data or 0, self.child_bands())

    def contact(self) -> Contact:
        return Contact(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            email=self.email.data or "",
            mobile=self.mobile.data or "",
            reminders=bool(self.reminders.data),
            access_needs=self.access_needs.data or "",
        )

    def postcode_text(self) -> str:
        """The postcode as typed, for ``frontdoor.areas`` to turn into an area."""
        return self.postcode.data or ""


def book_form_fields() -> dict[str, object]:
    """The booking form's fields in display order (WTForms orders by creation): who
    is coming, their details, and the nonce that makes a second press book nothing."""
    fields: dict[str, object] = {
        "adults": WholeNumberField(
            "Adults",
            widget=GovTextInput(),
            default=1,
            validators=[
                InputRequired("Enter how many adults are coming"),
                NumberRange(0, 20, "Adults must be between 0 and 20"),
            ],
            invalid="Enter how many adults are coming, as a number like 1",
        )
    }
    fields.update(child_band_fields())
    fields.update(
        first_name=StringField(
            "First name",
            widget=GovTextInput(),
            validators=[
                InputRequired("Enter their first name"),
                Length(max=100, message=staff_words("name_too_long", max=100)),
            ],
        ),
        last_name=StringField(
            "Last name (optional)",
            description="Staff screens show only the first letter",
            widget=GovTextInput(),
            validators=[Length(max=100, message=staff_words("name_too_long", max=100))],
        ),
        email=StringField(
            "Email address (optional)",
            description="For their confirmation and any changes",
            widget=GovTextInput(),
            validators=[Length(max=254, message="Email addresses are 254 characters or fewer")],
        ),
        mobile=StringField(
            "Mobile number (optional)",
            widget=GovTextInput(),
            validators=[Length(max=30, message=staff_words("invalid_mobile"))],
        ),
        postcode=StringField(
            "Postcode (optional)",
            description="Only its area is kept, never the postcode",
            widget=GovTextInput(),
            validators=[Length(max=16, message=staff_words("postcode_unknown"))],
        ),
        reminders=BooleanField("Send them reminders before the session", widget=GovCheckboxInput()),
        access_needs=TextAreaField(
            "Access needs (optional)",
            description="Anything the hub should know to welcome them",
            widget=GovTextArea(),
            validators=[Length(max=2000, message="Access needs must be 2000 characters or fewer")],
        ),
        join_waiting_list=BooleanField(
            "If the session is full, put them on the waiting list", widget=GovCheckboxInput()
        ),
        nonce=HiddenField(),
        submit=SubmitField("Book", widget=GovSubmitInput()),
    )
    return fields


BookOnBehalfForm = type("BookOnBehalfForm", (_BookFormBase,), book_form_fields())


class CancelForm(CleanForm):
    reason = TextAreaField(
        "Why is it cancelled?",
        validators=[
            InputRequired(staff_words("reason_required")),
            Length(max=500, message="The reason must be 500 characters or fewer"),
        ],
    )


class CapacityForm(CleanForm):
    capacity = WholeNumberField(
        "Capacity",
        validators=[
            InputRequired("Enter the new capacity"),
            NumberRange(1, MAX_CAPACITY, staff_words("capacity_range", low=1, high=MAX_CAPACITY)),
        ],
        invalid="Enter the capacity as a whole number, like 12",
    )


class MoveForm(CleanForm):
    session = RadioField(
        "Move to",
        coerce=to_id,
        widget=GovRadioInput(),
        validate_choice=True,
        validators=[InputRequired("Choose the session to move them to")],
    )
    submit = SubmitField("Move booking", widget=GovSubmitInput())
