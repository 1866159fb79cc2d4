"""The "In other languages" part of a form: one optional input per shipped language
for each field families see, labelled "Polish (Polski)", blank meaning "use English".

The inputs are named ``<field>_<code>`` (``title_pl``), the name the service's
``translation_too_long`` and ``language_not_shipped`` errors give, so a refusal
shows against its input.
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import Form, StringField, TextAreaField
from wtforms.validators import Length

from frontdoor.templating import language_for_staff
from frontdoor.translated import OTHER_LANGUAGES, TRANSLATABLE, Translatable, Translations


def _clean(value: str | None) -> str:
    return (value or "").strip()


def add_language_fields(form_class: type[Form], kind: type, *, areas: tuple[str, ...] = ()) -> None:
    """Give ``form_class`` an input per language for each of ``kind``'s translatable
    fields (a text area for those in ``areas``). ``language_inputs`` lists them, by
    field, as (language, input name) for the template's "In other languages"."""
    inputs: dict[str, list[tuple[str, str]]] = {}
    for field, longest in TRANSLATABLE[kind].items():
        inputs[field] = [(code, f"{field}_{code}") for code in OTHER_LANGUAGES]
        for code in OTHER_LANGUAGES:
            label = language_for_staff(code)
            field_class, widget = (
                (TextAreaField, GovTextArea()) if field in areas else (StringField, GovTextInput())
            )
            checks = [Length(max=longest, message=f"{label} must be {longest} characters or fewer")]
            setattr(
                form_class,
                f"{field}_{code}",
                field_class(label, widget=widget, validators=checks, filters=[_clean]),
            )
    form_class.language_inputs = inputs


def language_data(thing: Translatable, kind: type) -> dict[str, str]:
    """What the inputs start with: the translations already given."""
    given = thing.translations or {}
    return {
        f"{field}_{code}": given.get(field, {}).get(code, "")
        for field in TRANSLATABLE[kind]
        for code in OTHER_LANGUAGES
    }


def languages_given(form: Form, kind: type) -> Translations:
    """The inputs' answers, by field and language, for the service to check and keep.
    An input the request did not carry is left out, so what was given stays."""
    return {
        field: {
            code: form[f"{field}_{code}"].data or ""
            for code in OTHER_LANGUAGES
            if form[f"{field}_{code}"].raw_data
        }
        for field in TRANSLATABLE[kind]
    }
