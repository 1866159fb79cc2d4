"""The form for adding a kiosk."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length

from admin.forms import Required
from frontdoor.fields import CleanForm, whole_id


class KioskForm(CleanForm):
    hub_id = SelectField(
        "Hub", coerce=whole_id, widget=GovSelect(), validators=[Required("Choose the hub")]
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
