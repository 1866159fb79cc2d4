"""``frontdoor arrivals ...``: the board's jobs run once, today's duty rota, and
what each member of staff speaks and knows about.

    frontdoor arrivals sweep                 # escalate_overdue + check_out_finished, once
    frontdoor arrivals duty --hub riverside --practitioner sam@... --manager priya@...
    frontdoor arrivals skills --email sam@... --languages en,pl --topics feeding,money
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from arrivals.greeters import local_day, set_duty
from arrivals.jobs import check_out_finished, escalate_overdue
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Duty, Hub, StaffUser
from frontdoor.templating import LANGUAGES
from frontdoor.topics import TOPICS

arrivals_cli = AppGroup("arrivals", help="The arrivals board.")


@arrivals_cli.command("sweep")
def sweep_command() -> None:
    """Escalate who has waited too long and check out who has finished, once."""
    now = clock.now()
    escalated = escalate_overdue(now)
    db.session.commit()
    closed = check_out_finished(now)
    db.session.commit()
    click.echo(f"Escalated {len(escalated)}; checked out {closed}.")


def _staff(email: str) -> StaffUser:
    person = db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if person is None:
        raise click.BadParameter(f"no staff account {email!r}")
    return person


@arrivals_cli.command("duty")
@click.option("--hub", "slug", required=True, help="The hub's short name, like riverside.")
@click.option("--practitioner", "practitioners", multiple=True, help="Email; repeat for more.")
@click.option("--manager", "managers", multiple=True, help="Email of a duty manager.")
def duty_command(slug: str, practitioners: tuple[str, ...], managers: tuple[str, ...]) -> None:
    """Set today's duty practitioners and duty manager at a hub."""
    hub = db.session.scalar(select(Hub).where(Hub.slug == slug))
    if hub is None:
        raise click.BadParameter(f"no hub with slug {slug!r}", param_hint="--hub")
    day = local_day(hub, clock.now())
    try:
        set_duty(hub.id, day, Duty.PRACTITIONER, [_staff(e).id for e in practitioners])
        set_duty(hub.id, day, Duty.MANAGER, [_staff(e).id for e in managers])
    except ServiceError as error:
        raise click.ClickException(
            "everyone on duty must be a practitioner (or, for manager, a manager) at the hub"
        ) from error
    db.session.commit()
    click.echo(
        f"Duty at {hub.name} on {day:%A %d %B}: {len(practitioners)} practitioner(s), "
        f"{len(managers)} manager(s)."
    )


@arrivals_cli.command("skills")
@click.option("--email", required=True)
@click.option("--languages", default="", help="Language codes, like en,pl.")
@click.option("--topics", default="", help=f"Help request topics: {', '.join(TOPICS)}.")
def skills_command(email: str, languages: str, topics: str) -> None:
    """Say which languages someone speaks and which topics they can talk about."""
    person = _staff(email)
    spoken = [c.strip() for c in languages.split(",") if c.strip()]
    known = [t.strip() for t in topics.split(",") if t.strip()]
    if unknown := [c for c in spoken if c not in LANGUAGES]:
        raise click.BadParameter(f"unknown language {unknown[0]!r}", param_hint="--languages")
    if unknown := [t for t in known if t not in TOPICS]:
        raise click.BadParameter(f"unknown topic {unknown[0]!r}", param_hint="--topics")
    person.languages, person.skills = spoken, known
    db.session.commit()
    click.echo(f"Saved for {person.name}.")
