"""Shared form fields and helpers for the staff side; each area's forms are in
the module named after it (``admin.forms.timetable``, ``admin.forms.register`` ...)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import TypeVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import Field
from wtforms.validators import StopValidation

from frontdoor.fields import MAX_ID
from frontdoor.models import Booking

_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")
T = TypeVar("T")


def told_family(booking: Booking) -> str:
    """After a change the family hears about: whether a message is on its way."""
    if booking.email or booking.mobile:
        return " They have been sent a message."
    return " They gave no email or mobile number, so tell them yourself."


def answered(value: T | None) -> T:
    """A required field's answer (``field.data``) once its form has validated: the
    field's required check refused a blank, so None here means it was not run."""
    if value is None:
        raise ValueError("a required field was read before its form was validated")
    return value


def _blank(field: Field) -> bool:
    return not "".join(field.raw_data or []).strip()


class Required:
    """An answer is needed, optionally only when ``when(form)`` holds.

    Unlike WTForms' own, it keeps a field's "not a real date" style error rather
    than replacing it, and a field that does not apply (the answer under a radio
    option not chosen) is ignored whatever it holds.
    """

    def __init__(self, message: str, when: Callable[[FlaskForm], bool] | None = None) -> None:
        self.message = message
        self.when = when

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if self.when is not None and not self.when(form):
            field.errors[:] = []
            field.data = None
            raise StopValidation()
        if field.errors:
            raise StopValidation()
        if _blank(field):
            raise StopValidation(self.message)


class WholeNumberField(Field):
    """A number typed into a text box; ``what`` names it in error messages."""

    widget = GovTextInput()

    def __init__(
        self, label: str, what: str, low: int | None = None, high: int | None = None, **kwargs
    ) -> None:
        super().__init__(label, **kwargs)
        self.what, self.low, self.high = what, low, high

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"{self.what} must be a whole number")
        # Nothing we count comes near the database's whole-number limit.
        if len(text.lstrip("-")) > len(str(MAX_ID)) or abs(int(text)) > MAX_ID:
            raise ValueError(f"{self.what} is too large a number")
        self.data = int(text)

    def post_validate(self, form: FlaskForm, stop_validation: bool) -> None:
        # Without limits here, the range is a service rule and the service says so.
        if stop_validation or self.data is None or self.low is None or self.high is None:
            return
        if not self.low <= self.data <= self.high:
            self.errors.append(f"{self.what} must be between {self.low} and {self.high}")


class ClockField(Field):
    """A time of day typed as 10:00 (9:30 and 9.30 are fine too)."""

    widget = GovTextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        match = _CLOCK.fullmatch(text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(f"{self.label.text} must be a time like 10:00 or 14:30")
        self.data = time(int(match[1]), int(match[2]))


class DayMonthYearField(Field):
    """A GOV.UK date input: day, month and year boxes posted under one name."""

    widget = GovDateInput()
    # Outside these years a date is a typing mistake, and far-off dates would
    # overflow date arithmetic.
    EARLIEST, LATEST = 2000, 2099

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        # Always three parts, so the widget can show back whatever was typed.
        self.raw_data = [*(v.strip() for v in valuelist[:3]), "", "", ""][:3]
        self.data = None
        if not any(self.raw_data):
            return
        try:
            day, month, year = (int(part) for part in self.raw_data)
            self.data = date(year, month, day)
        except (ValueError, OverflowError):  # a year of a million digits overflows
            raise ValueError(f"{self.label.text} must be a real date") from None
        if not self.EARLIEST <= self.data.year <= self.LATEST:
            self.data = None
            raise ValueError(
                f"{self.label.text} must be in the years {self.EARLIEST} to {self.LATEST}"
            )
