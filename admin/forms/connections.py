"""Connecting a family to a partner service or a colleague: which one, the
family's consent, and exactly what they agreed to share."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput
from wtforms import BooleanField, RadioField, SelectChoice

from admin.forms.manage import _submit, _text
from frontdoor.fields import CleanForm, optional_id
from frontdoor.models import ContactMethod

CONTACT_WORDS = {
    ContactMethod.PHONE: "Phone call",
    ContactMethod.TEXT: "Text message",
    ContactMethod.EMAIL: "Email",
    ContactMethod.THROUGH_HUB: "Through the hub (they gave no contact details)",
}


class ConnectForm(CleanForm):
    # Choices are the checked services of the chosen topic (set by the view).
    service = RadioField(
        "Service", widget=GovRadioInput(), coerce=optional_id, validate_choice=False
    )
    # Or a colleague in the hub instead (choices set by the view).
    to_staff = RadioField(
        "Colleague", widget=GovRadioInput(), coerce=optional_id, validate_choice=False
    )
    consent = BooleanField(
        "The family agreed to this introduction and to sharing what is below",
        widget=GovCheckboxInput(),
    )
    first_name = _text("First name", 100, required="Enter their first name")
    contact_method = RadioField(
        "How they want to be contacted",
        widget=GovRadioInput(),
        choices=[SelectChoice(code, words) for code, words in CONTACT_WORDS.items()],
        default=ContactMethod.THROUGH_HUB,
        validate_choice=False,
    )
    contact = _text("Phone number or email address", 254, hint="Leave blank if through the hub")
    reason = _text(
        "A short reason", 300, area=True, hint="The partner sees this. No more than needed"
    )
    best_time = _text("Best time to contact them", 100, hint="For example, weekday mornings")
    interpreter = BooleanField("They need an interpreter", widget=GovCheckboxInput())
    language = _text("Language", 40, hint="For example, Polish")
    submit = _submit("Send the introduction")


class ContactForm(CleanForm):
    """After the first contact date: did the partner make contact? (One button each.)"""

    happened = RadioField(
        "Did the partner make contact with the family?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=GovRadioInput(),
    )
