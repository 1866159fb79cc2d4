"""Forms of the directory's pages: a partner, and one of its services."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovTextInput
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from admin.forms import Required, WholeNumberField
from admin.forms.manage import _active, _strip, _submit, _text
from frontdoor.fields import CleanForm, optional_id
from frontdoor.models import ServiceStatus
from frontdoor.topics import SERVICE_TOPICS, TOPIC_LABELS

STATUS_WORDS = {
    ServiceStatus.ACTIVE: "Running",
    ServiceStatus.TEMPORARILY_CLOSED: "Temporarily closed",
    ServiceStatus.INACTIVE: "Not running",
    ServiceStatus.DEFUNCT: "Closed for good",
}


def _tick(label: str, hint: str = "") -> BooleanField:
    return BooleanField(label, widget=GovCheckboxInput(), description=hint)


class PartnerForm(CleanForm):
    name = _text("Name", 200, required="Enter the partner's name")
    website = _text("Website (optional)", 500, hint="For example, https://www.example.org")
    contact_name = _text(
        "Contact's name", 200, hint="The person the hub deals with, who checks their services."
    )
    contact_email = EmailField(
        "Contact's email address",
        widget=GovTextInput(),
        description="Every three months we email this address a link to check their services.",
        validators=[
            Required("Enter the contact's email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
        filters=[_strip],
    )
    contact_phone = StringField(
        "Contact's phone number (optional)",
        widget=GovTextInput(),
        validators=[Length(max=40, message="Phone number must be 40 characters or fewer")],
        filters=[_strip],
    )
    active = _active("Services of an inactive partner are not shown to families.")
    submit = _submit("Save partner")


class ServiceForm(CleanForm):
    name = _text("Name", 200, required="Enter the service's name")
    topic = SelectField(
        "Helps with",
        widget=GovSelect(),
        choices=[SelectChoice(code, str(TOPIC_LABELS[code])) for code in SERVICE_TOPICS],
        validators=[Required("Choose what the service helps with")],
    )
    description = _text(
        "What it is", 2000, area=True, hint="In plain words, for families. Shown as typed."
    )
    status = SelectField(
        "Running?",
        widget=GovSelect(),
        choices=[SelectChoice(status.value, words) for status, words in STATUS_WORDS.items()],
        default=ServiceStatus.ACTIVE.value,
    )
    minimum_age = WholeNumberField("Youngest age (optional)", "Youngest age", 0, 120)
    maximum_age = WholeNumberField("Oldest age (optional)", "Oldest age", 0, 120)
    eligibility_description = _text(
        "Who it is for (optional)", 1000, area=True, hint="For example, dads and male carers."
    )
    languages = _text(
        "Languages (optional)", 200, hint="Language codes separated by commas, like en, pl, ur."
    )
    free = _tick("It is free")
    fees_description = _text("What it costs", 500, hint="Needed when it is not free.")
    online = _tick("It is online (as well as, or instead of, a place)")
    address = _text("Address", 500, area=True, hint="Leave blank if it is at a hub or online.")
    hub_id = SelectField("At a family hub", widget=GovSelect(), coerce=optional_id)
    schedule_description = _text(
        "When", 500, area=True, hint="For example, Tuesdays 10am to 12 noon, term time."
    )
    application_process = _text(
        "How to be referred", 1000, area=True, hint="For example, just come along, or call Jo."
    )
    submit = _submit("Save service")


class CheckEveryForm(CleanForm):
    """The council's "check every N months" (council admins)."""

    directory_check_months = WholeNumberField(
        "Check each service every",
        "Months between checks",
        1,
        24,
        description="In months. A service not checked for this long is hidden from families.",
        validators=[Required("Enter how many months between checks")],
    )
    submit = _submit("Save")
