"""Forms of the arrivals board: checking someone in by hand and today's duty rota."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional

from admin.forms import WholeNumberField
from admin.forms.register import ChildBands, child_band_fields
from frontdoor.fields import CleanForm, to_id
from frontdoor.words.staff import staff_words


class WalkInForm(ChildBands, CleanForm):
    nonce = HiddenField()
    first_name = StringField(
        _l("First name"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter their first name")), Length(max=100)],
    )
    last_name = StringField(
        _l("Last name (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message=staff_words("name_too_long", max=100))],
    )
    adults = WholeNumberField(_l("Adults"), _l("Adults"), 0, 20, default=1)
    language = SelectField(_l("Language"), widget=GovSelect(), default="en")
    postcode = StringField(
        _l("Postcode (optional)"),
        widget=GovTextInput(),
        description=_l("Only its area is kept, never the postcode."),
        validators=[Optional(), Length(max=16, message=staff_words("postcode_unknown"))],
    )
    session = RadioField(
        _l("What are they here for?"),
        widget=GovRadioInput(),
        default="",
        validate_choice=True,
        invalid_choice_message=_l("Choose what they are here for"),
    )
    submit = SubmitField(_l("Check in"), widget=GovSubmitInput())


# Children by age band, asked as the register's booking form asks them.
for _name, _field in child_band_fields().items():
    setattr(WalkInForm, _name, _field)


class DutyForm(CleanForm):
    practitioners = SelectMultipleField(
        _l("Duty practitioners"),
        widget=GovCheckboxesInput(),
        coerce=to_id,
        description=_l("They greet drop-ins, walk-ins and help requests today."),
        invalid_choice_message=_l("Choose only from the people shown"),
    )
    managers = SelectMultipleField(
        _l("Duty manager"),
        widget=GovCheckboxesInput(),
        coerce=to_id,
        description=_l("Told by email when someone has waited far too long."),
        invalid_choice_message=_l("Choose only from the people shown"),
    )
    submit = SubmitField(_l("Save today's duty rota"), widget=GovSubmitInput())
