"""The one check every new staff password passes: a new account, an admin's reset,
changing one's own (``frontdoor.staff``, ``frontdoor.staff_sessions``).

Long enough, not among the most common, not built from the product's, the council's,
its hubs' or the person's own names (``frontdoor.passwords``), and, where the
council has it on, not in the breach corpus (``frontdoor.pwned``). A refusal is
``ServiceError("weak_password", reason=...)``, worded by the staff catalogue.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import select

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation
from frontdoor.passwords import context_words, password_problem
from frontdoor.pwned import breached


def check_new_password(
    password: str, *, organisation_id: int, email: str, name: str, field: str
) -> None:
    """Raise ``weak_password`` (on ``field``) unless ``password`` will do for the
    person with this ``email`` and ``name`` at the council ``organisation_id``."""
    words = context_words(
        council=_council_names(organisation_id),
        hubs=db.session.scalars(select(Hub.name).where(Hub.organisation_id == organisation_id)),
        email=email,
        name=name,
    )
    reason = password_problem(password, context=words)
    if reason is None and (url := _breach_corpus()) and breached(password, url=url):
        reason = "breached"
    if reason is not None:
        raise ServiceError("weak_password", field=field, reason=reason)


def _council_names(organisation_id: int) -> list[str]:
    names = [db.session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))]
    if has_app_context():
        names.append(current_app.config["FRONTDOOR"].council_name)  # the header's
    return [name for name in names if name]


def _breach_corpus() -> str:
    return current_app.config["FRONTDOOR"].pwned_passwords_url if has_app_context() else ""
