"""The partner's correction form: the details a partner may put right themselves."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from frontdoor.fields import CleanForm


def _box(label: str, hint: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=hint,
        validators=[Length(max=2000, message=f"{label} must be 2000 characters or fewer")],
    )


class CorrectionForm(CleanForm):
    """Field names are the service's (``directory.partner_checks.CORRECTABLE``)."""

    description = _box("What the service is", "In plain words, for families.")
    eligibility_description = _box("Who it is for", "For example, parents of children under 5.")
    schedule_description = _box("When it runs", "For example, Tuesdays 10am to 12 noon.")
    address = _box("Where it runs", "Leave blank if it is only online or at a family hub.")
    application_process = _box("How families are referred", "For example, just come along.")
    fees_description = _box("What it costs", "Leave blank if it is free.")
    submit = SubmitField("Send corrections", widget=GovSubmitInput())
