"""The directory's forms: the partner's correction form (the details a partner may
put right themselves, in English), and a family's "send me this by text"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from frontdoor.fields import CleanForm, read_nonce
from frontdoor.words.families import lazy_family_words


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


class TextForm(CleanForm):
    """A family's mobile number, for one text about a service (``directory.texts``)."""

    mobile = StringField(
        _l("Mobile number"),
        widget=GovTextInput(),
        description=_l("We send one text with these details. We do not keep your number."),
        validators=[Length(max=30, message=lazy_family_words("invalid_mobile"))],
    )
    nonce = HiddenField()

    def nonce_key(self) -> str | None:
        return read_nonce(self.nonce.data)
