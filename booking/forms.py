"""Forms for the public booking site.

The forms check what a family typed (a whole number, a real age group, an
email that is an email) so every problem shows at once; the booking service
checks again and has the final word. ``add_service_error`` puts a refusal from
the service on the field it is about, in the words of
``frontdoor.words.families``.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from booking.contact import MAX_NAME, Contact, Party
from frontdoor.contact import normalise_email, normalise_mobile
from frontdoor.errors import ServiceError
from frontdoor.fields import CleanForm, read_nonce, whole_id
from frontdoor.models import AGE_BANDS, CHILD_BANDS
from frontdoor.templating import LANGUAGES, page_language
from frontdoor.words.families import family_words, for_family, lazy_family_words

MAX_ADULTS = 10
CHILD_ROWS = 6
MAX_ACCESS_NEEDS = 2000
# Problems that are about the booking as a whole, not one box: shown at the top.
FORM_PROBLEM = "form-problem"
_WHOLE_NUMBER = re.compile(r"^\d+$")


class PublicForm(CleanForm):
    """Problems with the booking as a whole link to ``#form-problem``, not ``#None``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._form_error_key = FORM_PROBLEM


# A child's age band in families' words (the kiosk's too): a baby on the way is "expected".
CHILD_BAND_WORDS = {
    "pregnancy": _l("Expecting a baby"),
    "0-1": _l("Babies under 1"),
    "1-3": _l("1 to 3 years"),
    "3-5": _l("3 to 5 years"),
    "5-11": _l("5 to 11 years"),
    "11-19": _l("11 to 19 years"),
}


# Who a session is for, in families' words: the hub's age bands ("0 to 1" in
# frontdoor.models.AGE_BANDS) as families read them, in the same order.
AGE_BAND_WORDS = {
    band: {"pregnancy": _l("Pregnancy"), "parents": _l("Parents and carers")}.get(
        band, CHILD_BAND_WORDS.get(band, band)
    )
    for band in AGE_BANDS
}


def child_band_label(band: str) -> str:
    return str(CHILD_BAND_WORDS.get(band, band))


def child_band_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _("No child")),
        *(SelectChoice(band, child_band_label(band)) for band in CHILD_BANDS),
    ]


class PartyForm(PublicForm):
    """Who is coming: adults, and each child by age group."""

    adults = StringField(
        _l("Adults"),
        widget=GovTextInput(),
        default="1",
        description=_l("Parents, carers and other grown-ups, from 0 to 10"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = child_band_choices()  # worded once: every row offers the same
        for field in self.child_fields:
            field.choices = choices

    # How many child rows the family has on screen: they add them one at a time.
    child_rows = HiddenField(default="1")

    @property
    def child_fields(self) -> list[SelectField]:
        return [self[f"child_{n}"] for n in range(1, CHILD_ROWS + 1)]

    @property
    def shown_child_fields(self) -> list[SelectField]:
        """The rows on screen: as many as asked for, and never one hiding a child."""
        asked = whole_id(self.child_rows.data) or 1
        filled = max((n for n, f in enumerate(self.child_fields, 1) if f.data), default=0)
        return self.child_fields[: max(1, min(CHILD_ROWS, max(asked, filled)))]

    def add_child(self) -> None:
        """One more row for a child ("Add another child"), checking nothing yet."""
        self.child_rows.data = str(min(CHILD_ROWS, len(self.shown_child_fields) + 1))

    def validate_adults(self, field: StringField) -> None:
        typed = (field.data or "").strip()
        if not typed:
            raise ValidationError(_("Enter the number of adults coming, or 0."))
        if not _WHOLE_NUMBER.match(typed):
            raise ValidationError(_("Enter the number of adults as a whole number, like 1 or 2."))
        if len(typed) > 3 or int(typed) > MAX_ADULTS:
            raise ValidationError(_("Enter a number of adults from 0 to %(max)s.", max=MAX_ADULTS))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self.child_fields:
            if field.data and field.data not in CHILD_BANDS:
                field.errors = [*field.errors, family_words("child_age_band")]
                valid = False
        if valid and self.party().people < 1:
            self.adults.errors = [*self.adults.errors, family_words("party_empty")]
            valid = False
        return valid

    def party(self) -> Party:
        children = tuple(f.data for f in self.child_fields if f.data)
        return Party(int(self.adults.data.strip()), children)

    def fill_from(self, adults: int, children: list[str]) -> None:
        self.adults.data = str(adults)
        for field, band in zip(self.child_fields, [*children, *[""] * CHILD_ROWS], strict=False):
            field.data = band


for _n in range(1, CHILD_ROWS + 1):
    setattr(
        PartyForm,
        f"child_{_n}",
        SelectField(_l("Child %(n)s", n=_n), widget=GovSelect(), default="", validate_choice=False),
    )


def _check_choice(allowed: Container[str], message: str):
    def check(form: FlaskForm, field) -> None:
        if field.data not in allowed:
            raise ValidationError(message)

    return check


# --- the family's details, asked the same way by the session and appointment forms ----


def first_name_field() -> StringField:
    return StringField(
        _l("First name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(lazy_family_words("first_name_required")),
            Length(max=MAX_NAME, message=lazy_family_words("name_too_long", max=MAX_NAME)),
        ],
    )


def last_name_field() -> StringField:
    return StringField(
        _l("Last name (optional)"),
        widget=GovTextInput(),
        validators=[Length(max=MAX_NAME, message=lazy_family_words("name_too_long", max=MAX_NAME))],
    )


def email_field() -> StringField:
    return StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[Length(max=254, message=lazy_family_words("invalid_email"))],
    )


def mobile_field() -> StringField:
    return StringField(
        _l("Mobile number"),
        widget=GovTextInput(),
        validators=[Length(max=30, message=lazy_family_words("invalid_mobile"))],
    )


def postcode_field() -> StringField:
    """Optional. The service keeps only its area (``frontdoor.areas``), never the postcode."""
    return StringField(
        _l("Postcode (optional)"),
        widget=GovTextInput(),
        description=_l(
            "We keep only your area, not your postcode. It helps the hubs reach the "
            "families who need them."
        ),
        validators=[Length(max=16, message=lazy_family_words("postcode_unknown"))],
    )


def access_needs_field(label: str, example: str) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=example,
        validators=[
            Length(
                max=MAX_ACCESS_NEEDS,
                message=_l("Keep this to %(max)s characters or fewer", max=MAX_ACCESS_NEEDS),
            )
        ],
    )


def check_contact(form: FlaskForm, missing: str) -> bool:
    """The booking service's own rules for ``form.email`` and ``form.mobile`` (so
    every problem shows at once), and at least one of them (else ``missing``)."""
    valid = True
    for field, normalise in ((form.email, normalise_email), (form.mobile, normalise_mobile)):
        if (field.data or "").strip() and not field.errors:
            try:
                normalise(field.data)
            except ServiceError as error:
                field.errors = [*field.errors, for_family(error)]
                valid = False
    if not (form.email.data or "").strip() and not (form.mobile.data or "").strip():
        form.email.errors = [*form.email.errors, missing]
        valid = False
    return valid


class BookingForm(PartyForm):
    first_name = first_name_field()
    last_name = last_name_field()
    reminders = RadioField(
        _l("Send me a confirmation and reminders?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[
            InputRequired(_l("Choose yes if you would like a confirmation and reminders")),
            _check_choice(
                ("yes", "no"), _l("Choose yes if you would like a confirmation and reminders")
            ),
        ],
    )
    email = email_field()
    mobile = mobile_field()
    postcode = postcode_field()
    access_needs = access_needs_field(
        _l("Access needs, or anything else the hub should know (optional)"),
        _l("For example, wheelchair access, a British Sign Language interpreter, or a quiet space"),
    )
    language = SelectField(
        _l("Language for messages"),
        widget=GovSelect(),
        default=page_language,
        validate_choice=False,
        validators=[_check_choice(LANGUAGES, _l("Choose a language from the list"))],
    )
    consent = BooleanField(
        _l(
            "I agree that the family hub can keep these details to manage my booking, "
            "as the privacy notice explains"
        ),
        widget=GovCheckboxInput(),
        description=_l("We use them only for this booking."),
        validators=[DataRequired(_l("Tick the box to say you agree, so we can keep your booking"))],
    )
    waiting_list = BooleanField(
        _l("Put me on the waiting list"),
        widget=GovCheckboxInput(),
        description=_l("If a place comes up we will give it to you and let you know."),
    )
    nonce = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = [
            SelectChoice(code, info["name"]) for code, info in LANGUAGES.items()
        ]

    @property
    def wants_reminders(self) -> bool:
        return self.reminders.data == "yes"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.wants_reminders:
            return valid
        return check_contact(self, family_words("reminders_need_contact")) and valid

    def contact(self) -> Contact:
        """The family's details. A family who said no to messages gives no contact:
        whatever is in the email and mobile boxes is not kept."""
        wants = self.wants_reminders
        return Contact(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            email=(self.email.data or "") if wants else "",
            mobile=(self.mobile.data or "") if wants else "",
            reminders=wants,
            access_needs=self.access_needs.data or "",
            language=self.language.data if self.language.data in LANGUAGES else "en",
        )

    def idempotency_key(self) -> str | None:
        return idempotency_key_from(self.nonce.data)


def idempotency_key_from(nonce: str | None) -> str | None:
    """The form's nonce, if it is one we could have made (else no key at all)."""
    return read_nonce(nonce)


# What a family typed into the booking form, carried in hidden fields when the last
# place went while they were typing, so joining the waiting list is one press.
ANSWERS = (
    "adults",
    "child_rows",
    *(f"child_{n}" for n in range(1, CHILD_ROWS + 1)),
    "first_name",
    "last_name",
    "reminders",
    "email",
    "mobile",
    "postcode",
    "access_needs",
    "language",
    "consent",
)
MAX_ANSWER = max(MAX_ACCESS_NEEDS, 254)


def carried_answers(posted: Mapping[str, str]) -> list[tuple[str, str]]:
    """The booking form's answers from ``posted``, for hidden fields (checked again
    when they come back; anything too long to be an answer is left behind)."""
    return [
        (name, posted[name])
        for name in ANSWERS
        if name in posted and len(posted[name]) <= MAX_ANSWER
    ]


class CancelForm(PublicForm):
    """Only the CSRF token: the button says what it does."""


class HubCardForm(PublicForm):
    """Only the CSRF token: the family asks for a hub card."""


class ChangePartyForm(PartyForm):
    pass


class FindForm(PublicForm):
    reference = StringField(
        _l("Booking reference"),
        widget=GovTextInput(),
        description=_l("8 letters and numbers, for example ABCD 2345"),
        validators=[
            InputRequired(_l("Enter your booking reference")),
            Length(max=40, message=_l("Enter your booking reference")),
        ],
    )
    contact = StringField(
        _l("Email address or mobile number"),
        widget=GovTextInput(),
        description=_l("The one you gave when you booked"),
        validators=[
            InputRequired(_l("Enter the email address or mobile number you booked with")),
            Length(max=254, message=_l("Enter the email address or mobile number you booked with")),
        ],
    )


# Where a service refusal shows: the field it names, or one chosen here.
_FIELD_FOR_CODE = {
    "full": "waiting_list",
    "party_empty": "adults",
    "party_too_large": "adults",
    "first_name_required": "first_name",
    "name_too_long": "first_name",
    "invalid_email": "email",
    "invalid_mobile": "mobile",
    "reminders_need_contact": "email",
}


def add_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a refusal from the booking service on the right field, in the families'
    catalogue's words."""
    text = for_family(error)
    names = [_FIELD_FOR_CODE.get(error.code), error.field]
    name = next((n for n in names if n and n in form._fields), None)
    if error.code == "child_age_band" and isinstance(form, PartyForm):
        bad = [f for f in form.child_fields if f.data and f.data not in CHILD_BANDS]
        name = (bad or form.child_fields)[0].name
    if error.code == "duplicate" and isinstance(form, BookingForm):
        name = "email" if (form.email.data or "").strip() else "mobile"
    field = form._fields.get(name) if name else None
    if field is None or field.type in ("SubmitField", "HiddenField", "CSRFTokenField"):
        form.form_errors.append(text)
    else:
        field.errors = [*field.errors, text]


class AppointmentForm(PartyForm):
    """Who is coming, and how to reach them: always asked for an appointment, as
    the practitioner may need to rearrange it."""

    first_name = first_name_field()
    last_name = last_name_field()
    email = email_field()
    mobile = mobile_field()
    postcode = postcode_field()
    access_needs = access_needs_field(
        _l("Access needs, or anything else the practitioner should know (optional)"),
        _l("For example, wheelchair access, an interpreter, or bringing a buggy or pram"),
    )
    nonce = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        missing = _(
            "Enter an email address or a mobile number, so we can confirm your appointment."
        )
        return check_contact(self, missing) and valid

    def contact(self, language: str) -> Contact:
        return Contact(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            email=self.email.data or "",
            mobile=self.mobile.data or "",
            reminders=True,
            access_needs=self.access_needs.data or "",
            language=language,
        )

    def idempotency_key(self) -> str | None:
        return idempotency_key_from(self.nonce.data)

    def show_service_error(self, error: ServiceError) -> None:
        text = for_family(error)
        name = {"children": "child_1"}.get(error.field or "", error.field or "first_name")
        field = getattr(self, name, None) or self.first_name
        field.errors = [*field.errors, text]
