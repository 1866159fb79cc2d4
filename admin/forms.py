"""Shared form helpers for the staff side."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field

from frontdoor.errors import ServiceError


def add_service_errors(
    form: FlaskForm, errors: list[ServiceError], messages: dict[str, str]
) -> None:
    """Show coded service errors against their fields, in plain words."""
    for error in errors:
        text = messages.get(error.code) or str(error.details.get("message") or error.code)
        field: Field | None = getattr(form, error.field, None) if error.field else None
        if field is None:
            form.form_errors.append(text)
        else:
            field.errors = [*field.errors, text]
