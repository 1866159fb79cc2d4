"""The forms for adding a screen at a hub: a kiosk, or a reception board display."""

from __future__ import annotations

from collections.abc import Sequence

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length

from admin.forms import Required
from frontdoor.fields import CleanForm, whole_id
from frontdoor.models import Hub


def screen_name(example: str) -> StringField:
    return StringField(
        "Name",
        widget=GovTextInput(),
        description=f"Where the screen is, {example}.",
        validators=[
            Required("Enter a name for the screen"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
        filters=[lambda value: (value or "").strip()],
    )


class ScreenForm(CleanForm):
    """A screen at one of the manager's hubs: a kiosk or a reception board display."""

    hub_id = SelectField(
        "Hub", coerce=whole_id, widget=GovSelect(), validators=[Required("Choose the hub")]
    )

    def offer(self, hubs: Sequence[Hub]) -> None:
        """The hubs to choose from; the only one chosen already on a new form."""
        self.hub_id.choices = [(hub.id, hub.name) for hub in hubs]
        if len(hubs) == 1 and not self.is_submitted():
            self.hub_id.data = hubs[0].id


class KioskForm(ScreenForm):
    name = screen_name("so staff can tell screens apart, like Foyer")
    submit = SubmitField("Add kiosk", widget=GovSubmitInput())
