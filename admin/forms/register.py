"""Forms of a session's register: booking on a family's behalf, cancelling, moving,
and raising the capacity."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import (
    IntegerField,
    RadioField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from booking.contact import Contact, Party
from frontdoor.fields import CleanForm, to_id
from frontdoor.models import (
    AGE_BANDS,
)
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


# Children by age band; "parents" is the adults' own band.
CHILD_BANDS = [band for band in AGE_BANDS if band != "parents"]


def _child_field_name(band: str) -> str:
    return "children_" + re.sub(r"\W", "_", band)


class _BookFormBase(CleanForm):
    def party(self) -> Party:
        children: list[str] = []
        for band in CHILD_BANDS:
            children += [band] * (getattr(self, _child_field_name(band)).data or 0)
        return Party(self.adults.data or 0, tuple(children))

    def contact(self) -> Contact:
        return Contact(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            email=self.email.data or "",
            mobile=self.mobile.data or "",
            reminders=bool(self.reminders.data),
            access_needs=self.access_needs.data or "",
        )

    def child_fields(self):
        return [getattr(self, _child_field_name(band)) for band in CHILD_BANDS]


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
