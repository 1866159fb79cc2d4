"""Forms of the arrivals board: checking someone in by hand and today's duty rota."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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

MESSAGES = {
    "not_found": _l("That is no longer on the board."),
    "closed": _l("Someone has already checked them out or marked them as not here."),
    "already_claimed": _l("%(by)s is already greeting them."),
    "already_greeted": _l("They have already been greeted."),
    "stale": _l("The board had changed, so nothing was done. Check it and try again."),
    "not_staff_here": _l("Choose a colleague who works at this hub."),
    "same_person": _l("They are already with that colleague."),
    "unknown_action": _l("Sorry, that could not be done. Try again."),
    "too_late": _l("It is too late to undo that: do it again instead."),
    "not_yours": _l("Only the person who did that can undo it."),
    "already_undone": _l("That has already been undone."),
    "first_name_required": _l("Enter their first name"),
    "name_too_long": _l("Names must be 100 characters or fewer"),
    "party_size": _l("Enter between 1 and 20 people"),
    "full": _l("That session is full"),
    "session_over": _l("That session has finished"),
    "session_cancelled": _l("That session has been cancelled"),
    "too_early": _l("That session has not started yet"),
    "not_drop_in": _l("That session is for booked families only"),
    "already_checked_in": _l("They have already checked in."),
    "not_today": _l("Their booking is not for today."),
    "cancelled": _l("That booking was cancelled."),
    "waiting_list": _l("They are on the waiting list, so have no place."),
    "other_hub": _l("That booking is at another hub."),
}


class WalkInForm(FlaskForm):
    nonce = HiddenField()
    first_name = StringField(
        _l("First name"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter their first name")), Length(max=100)],
    )
    last_name = StringField(
        _l("Last name (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message=MESSAGES["name_too_long"])],
    )
    adults = WholeNumberField(_l("Adults"), _l("Adults"), 0, 20, default=1)
    children = WholeNumberField(_l("Children"), _l("Children"), 0, 20, default=0)
    language = SelectField(_l("Language"), widget=GovSelect(), default="en")
    session = RadioField(
        _l("What are they here for?"),
        widget=GovRadioInput(),
        default="",
        validate_choice=True,
        invalid_choice_message=_l("Choose what they are here for"),
    )
    submit = SubmitField(_l("Check in"), widget=GovSubmitInput())


class DutyForm(FlaskForm):
    practitioners = SelectMultipleField(
        _l("Duty practitioners"),
        widget=GovCheckboxesInput(),
        coerce=int,
        description=_l("They greet drop-ins, walk-ins and help requests today."),
        invalid_choice_message=_l("Choose only from the people shown"),
    )
    managers = SelectMultipleField(
        _l("Duty manager"),
        widget=GovCheckboxesInput(),
        coerce=int,
        description=_l("Told by email when someone has waited far too long."),
        invalid_choice_message=_l("Choose only from the people shown"),
    )
    submit = SubmitField(_l("Save today's duty rota"), widget=GovSubmitInput())
