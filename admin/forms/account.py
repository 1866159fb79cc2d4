"""Forms for one's own account (second factor, password) and board displays."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from admin.forms.kiosks import ScreenForm, screen_name
from frontdoor.fields import CleanForm


class CodeForm(CleanForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="The 6-digit code your authenticator app shows now, or a recovery code.",
        validators=[InputRequired("Enter the code"), Length(max=20, message="Enter the code")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ChangePasswordForm(CleanForm):
    current = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password"), Length(max=200)],
    )
    new = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="At least 10 characters.",
        validators=[InputRequired("Enter a new password"), Length(max=200)],
    )
    again = PasswordField(
        "New password again",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("new", message="The new passwords do not match"),
        ],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class BoardDisplayForm(ScreenForm):
    name = screen_name("like Reception desk")
    submit = SubmitField("Add board display", widget=GovSubmitInput())


class PairBoardForm(CleanForm):
    code = StringField(
        "Pairing code",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the pairing code"), Length(max=20)],
    )
    submit = SubmitField("Show the arrivals board", widget=GovSubmitInput())
