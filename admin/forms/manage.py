"""Forms of the managers' pages: hubs and their settings, rooms, categories and staff."""

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
    EmailField,
    Field,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError

from admin.forms import Required, WholeNumberField
from admin.forms.languages import add_language_fields
from frontdoor.fields import CleanForm
from frontdoor.hubs import (
    MAX_REMINDERS,
    MAX_ROOM_CAPACITY,
    REMINDER_HOURS,
    SETTING_LIMITS,
)
from frontdoor.models import Hub, ServiceCategory


def _strip(value: str | None) -> str:
    # A field missing from the POST arrives as None: treat it as empty.
    return (value or "").strip()


def _text(
    label: str, max_length: int, *, required: str = "", area: bool = False, hint: str = ""
) -> Field:
    checks = [Required(required)] if required else []
    checks += [Length(max=max_length, message=f"{label} must be {max_length} characters or fewer")]
    field_class, widget = (TextAreaField, GovTextArea()) if area else (StringField, GovTextInput())
    return field_class(label, widget=widget, validators=checks, filters=[_strip], description=hint)


def _active(hint: str) -> BooleanField:
    return BooleanField("Active", widget=GovCheckboxInput(), description=hint)


def _submit(text: str) -> SubmitField:
    return SubmitField(text, widget=GovSubmitInput())


HOURS_MESSAGE = (
    f"Reminder times must be up to {MAX_REMINDERS} whole numbers of hours from "
    f"{REMINDER_HOURS[0]} to {REMINDER_HOURS[1]}, separated by commas"
)


class HoursField(Field):
    """Whole hours separated by commas, like "24, 2", kept largest first."""

    widget = GovTextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(str(hours) for hours in self.data or ())

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [p.strip() for p in (valuelist[0] if valuelist else "").split(",") if p.strip()]
        if not all(re.fullmatch(r"\d{1,3}", part) for part in parts):
            raise ValueError(HOURS_MESSAGE)
        self.data = tuple(sorted({int(part) for part in parts}, reverse=True))


def _setting(label: str, key: str, what: str, hint: str) -> WholeNumberField:
    low, high = SETTING_LIMITS[key]
    return WholeNumberField(
        label,
        what,
        low,
        high,
        validators=[Required(f"Enter the {what.lower()}")],
        description=f"{hint} From {low} to {high}.",
    )


def _hub_name() -> Field:
    return _text("Name", 200, required="Enter the hub's name")


def _address() -> Field:
    return _text("Address", 1000, area=True)


def _access() -> Field:
    return _text(
        "Access information",
        2000,
        area=True,
        hint="Step-free access, parking, buggy park, toilets and baby change.",
    )


class NewHubForm(CleanForm):
    name = _hub_name()
    slug = _text(
        "Short name for web addresses",
        60,
        required="Enter a short name for web addresses",
        hint="Lowercase letters, numbers and hyphens, like riverside. It cannot be changed later.",
    )
    address = _address()
    access_information = _access()
    submit = _submit("Add hub")


add_language_fields(NewHubForm, Hub, areas=("access_information",))


class HubForm(CleanForm):
    name = _hub_name()
    address = _address()
    access_information = _access()
    active = _active("Families cannot see or book sessions at an inactive hub.")
    greeting_escalation_minutes = _setting(
        "Greeting time, in minutes",
        "greeting_escalation_minutes",
        "Greeting time",
        "If nobody has greeted a family this long after they checked in, the arrivals "
        "board flags them.",
    )
    kiosk_idle_seconds = _setting(
        "Kiosk reset time, in seconds",
        "kiosk_idle_seconds",
        "Kiosk reset time",
        "The kiosk goes back to its start screen after this long without a touch.",
    )
    retention_months = _setting(
        "Keep visit records for, in months",
        "retention_months",
        "Time to keep records",
        "Families' check-ins and bookings are deleted after this long.",
    )
    checkin_early_minutes = _setting(
        "Earliest check-in, in minutes before a session",
        "checkin_early_minutes",
        "Earliest check-in time",
        "How early families can check in for a session.",
    )
    connection_chase_working_days = _setting(
        "Chase unanswered introductions after, in working days",
        "connection_chase_working_days",
        "Working days before chasing",
        "An introduction a partner has not answered after this many working days goes back "
        "to the practitioner who made it, and to the duty manager after twice as many.",
    )
    waiting_list_fill_gaps = RadioField(
        "Can the waiting list fill places that come free?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=GovRadioInput(),
        validators=[Required("Select yes if the waiting list can fill places that come free")],
        validate_choice=False,
    )
    reminder_hours = HoursField(
        "Reminder times, in hours before a session",
        description="For example 24, 2 for a day before and two hours before. "
        "Leave empty to send no reminders.",
    )
    submit = _submit("Save changes")

    def validate_reminder_hours(self, field: HoursField) -> None:
        low, high = REMINDER_HOURS
        hours = field.data or ()
        if len(hours) > MAX_REMINDERS or not all(low <= h <= high for h in hours):
            raise ValidationError(HOURS_MESSAGE)


add_language_fields(HubForm, Hub, areas=("access_information",))


class RoomForm(CleanForm):
    name = _text("Name", 120, required="Enter the room's name")
    capacity = WholeNumberField(
        "Capacity (optional)",
        "Capacity",
        1,
        MAX_ROOM_CAPACITY,
        description="The most people the room holds safely.",
    )
    description = _text("Description (optional)", 2000, area=True)
    active = _active("Inactive rooms cannot be chosen for new sessions.")
    submit = _submit("Save room")


class CategoryForm(CleanForm):
    name = _text("Name", 120, required="Enter the category's name")
    icon = _text(
        "Icon (optional)",
        60,
        hint="The name of its picture on the kiosk and booking site, like play or feeding.",
    )
    active = _active("Inactive categories cannot be chosen for new session series.")
    submit = _submit("Save category")


add_language_fields(CategoryForm, ServiceCategory)


class NewStaffForm(CleanForm):
    name = _text("Full name", 200, required="Enter their full name")
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            Required("Enter their email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
        filters=[_strip],
    )
    submit = _submit("Add member of staff")


class StaffForm(CleanForm):
    name = _text("Full name", 200, required="Enter their full name")
    submit = _submit("Save changes")
