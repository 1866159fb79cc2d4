"""Data-protection forms: finding a family (by POST, so no email or mobile is ever in an
address), erasing and correcting their record, and searching the audit log."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import Length

from admin.forms import DayMonthYearField, Required
from frontdoor.fields import CleanForm


def _strip(value: str | None) -> str:
    return (value or "").strip()


class FindFamilyForm(CleanForm):
    subject = StringField(
        "Email address, mobile number or booking reference",
        widget=GovTextInput(),
        description="What the family gave us: one of them finds everything held about them.",
        validators=[Required("Enter an email address, a mobile number or a booking reference")],
        filters=[_strip],
    )
    submit = SubmitField("Find their records", widget=GovSubmitInput())


class _OnRecord(CleanForm):
    """A change to the record found: the detail it was found by travels in the POST body."""

    subject = HiddenField(validators=[Required("Find the family again")], filters=[_strip])


class DownloadForm(_OnRecord):
    submit = SubmitField("Download as a file (JSON)", widget=GovSubmitInput())


class EraseForm(_OnRecord):
    reason = StringField(
        "Why are you erasing their record?",
        widget=GovTextArea(),
        description="For example, asked by phone on 3 March. Do not write their name.",
        validators=[Required("Enter a reason"), Length(max=300)],
        filters=[_strip],
    )
    submit = SubmitField("Erase their personal data", widget=GovSubmitInput())


class CorrectForm(_OnRecord):
    first_name = StringField("First name", widget=GovTextInput(), filters=[_strip])
    last_name = StringField("Last name", widget=GovTextInput(), filters=[_strip])
    email = StringField("Email address", widget=GovTextInput(), filters=[_strip])
    mobile = StringField("Mobile number", widget=GovTextInput(), filters=[_strip])
    reason = StringField(
        "Why are you correcting it?",
        widget=GovTextArea(),
        validators=[Required("Enter a reason"), Length(max=300)],
        filters=[_strip],
    )
    submit = SubmitField("Correct their details", widget=GovSubmitInput())


class AuditSearchForm(CleanForm):
    class Meta(CleanForm.Meta):
        csrf = False

    person = SelectField("Member of staff", choices=[], validate_choice=False, widget=GovSelect())
    action = SelectField("What they did", choices=[], validate_choice=False, widget=GovSelect())
    first = DayMonthYearField("From", description="For example, 1 4 2026")
    last = DayMonthYearField("To", description="For example, 30 4 2026")
    family = StringField(
        "Family's booking reference",
        description="Shows what was done to that family's bookings, visits and connections.",
        widget=GovTextInput(),
        filters=[_strip],
    )
    submit = SubmitField("Search", widget=GovSubmitInput())
