"""The form for adding a kiosk."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length

from admin.forms import Required


def _id(value: object) -> int | None:
    return int(value) if str(value or "").isdigit() else None


class KioskForm(FlaskForm):
    hub_id = SelectField(
        "Hub", coerce=_id, widget=GovSelect(), validators=[Required("Choose the hub")]
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="Where the screen is, so staff can tell screens apart, like Foyer.",
        validators=[
            Required("Enter a name for the screen"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
        filters=[lambda value: (value or "").strip()],
    )
    submit = SubmitField("Add kiosk", widget=GovSubmitInput())
