"""The partner's answer: accept (and by when they will make contact) or decline
(and why)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import DateField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from frontdoor.fields import CleanForm


class AcceptForm(CleanForm):
    contact_by = DateField(
        "When will you make contact?",
        description="The latest day you will contact the family.",
        validators=[InputRequired(message="Enter the date you will make contact by")],
    )
    accept = SubmitField("Accept", widget=GovSubmitInput())


class DeclineForm(CleanForm):
    reason = TextAreaField(
        "Why can you not take this on?",
        widget=GovTextArea(),
        description="The hub is told, so they can find the family other help.",
        validators=[
            InputRequired(message="Enter a reason"),
            Length(max=1000, message="Reason must be 1000 characters or fewer"),
        ],
    )
    decline = SubmitField(
        "Decline", widget=GovSubmitInput(), render_kw={"class": "govuk-button--secondary"}
    )
