"""CLI commands: ``frontdoor staff create``, ``frontdoor demo``, ``frontdoor urls``."""

from __future__ import annotations

import secrets

import click
from flask import Flask, current_app
from sqlalchemy import select

from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Role
from frontdoor.words.staff import for_staff


@click.group("staff")
def staff_group() -> None:
    """Staff accounts."""


@staff_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--role",
    "role_specs",
    multiple=True,
    default=["admin"],
    show_default=True,
    help="ROLE or ROLE@hub-slug, for example manager@riverside; repeat for more.",
)
def staff_create(email: str, name: str, password: str, role_specs: tuple[str, ...]) -> None:
    """Create a staff account (the first council admin, for instance)."""
    from frontdoor.staff import create_staff

    organisation = db.session.scalar(select(Organisation).order_by(Organisation.id))
    if organisation is None:
        organisation = Organisation(
            name=current_app.config["FRONTDOOR"].council_name, slug="council"
        )
        db.session.add(organisation)
        db.session.flush()
    roles = []
    for spec in role_specs:
        role_name, _, slug = spec.partition("@")
        try:
            role = Role(role_name)
        except ValueError as error:
            raise click.BadParameter(f"unknown role {role_name!r}", param_hint="--role") from error
        hub_id = None
        if slug:
            hub = db.session.scalar(select(Hub).where(Hub.slug == slug))
            if hub is None:
                raise click.BadParameter(f"no hub with slug {slug!r}", param_hint="--role")
            hub_id = hub.id
        elif role != Role.ADMIN:
            raise click.BadParameter("roles other than admin need @hub-slug", param_hint="--role")
        roles.append((hub_id, role))
    try:
        user = create_staff(
            organisation_id=organisation.id, email=email, name=name, password=password, roles=roles
        )
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(for_staff(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(role_specs)})")


@click.command("demo")
@click.option("--password", default=None, help="Password for every demo account.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has data.")
def demo_command(password: str | None, if_empty: bool) -> None:
    """Load the demo council: two hubs, their rooms, staff in every role, a timetable."""
    from frontdoor.demo import load_demo

    if if_empty and db.session.scalar(select(Organisation.id).limit(1)) is not None:
        click.echo("The database already has data; the demo was not loaded.")
        return
    password = password or secrets.token_urlsafe(9)
    created = load_demo(password=password, today=clock.today())
    db.session.commit()
    if created:
        click.echo(f"Demo council loaded. Every demo account's password: {password}")
    else:
        click.echo("The demo council was already there; nothing changed.")


@click.command("urls")
def urls_command() -> None:
    """Print where the kiosk, booking site and staff side are, and the demo sign-ins."""
    base = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    click.echo(
        f"""
  Booking site : {base}/book/
  Kiosk        : {base}/kiosk/   (pair it from the staff side)
  Staff        : {base}/admin/
  Arrivals     : {base}/admin/arrivals   (live board; roll call at /admin/arrivals/roll-call)

  Demo sign-ins (password as printed by `frontdoor demo`, or `demo-password` with make run):
    admin@council.example          council admin
    manager@riverside.example      manager, Riverside
    lead@riverside.example         session lead, Riverside
    practitioner@riverside.example practitioner, Riverside
    reception@riverside.example    reception, Riverside
"""
    )


@click.group("scheduler", invoke_without_command=True)
@click.option(
    "--every",
    type=float,
    default=None,
    help="Run every job every N seconds instead of on its schedule (tests and demos).",
)
@click.option(
    "--standby-poll",
    type=float,
    default=5.0,
    show_default=True,
    help="Seconds between a standby's tries for the lock.",
)
@click.pass_context
def scheduler_group(context: click.Context, every: float | None, standby_poll: float) -> None:
    """Run the scheduled jobs (waits as a standby while another scheduler runs)."""
    if context.invoked_subcommand is not None:
        return
    import signal

    from frontdoor.scheduler import SchedulerProcess

    process = SchedulerProcess(
        current_app._get_current_object(),  # type: ignore[attr-defined]  # the real app, not the proxy
        every_seconds=every,
        poll_seconds=standby_poll,
    )
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: process.stop())
    context.exit(process.run())


@scheduler_group.command("jobs")
def scheduler_jobs() -> None:
    """List the registered jobs, their schedules and next run times."""
    from frontdoor.scheduler import REGISTRY, next_run_times

    upcoming = next_run_times()
    for job_id, spec in sorted(REGISTRY.items()):
        at = upcoming.get(job_id)
        shown = clock.local(at).strftime("%Y-%m-%d %H:%M:%S") if at else "not scheduled yet"
        click.echo(f"{job_id:<24} {spec.schedule:<22} next {shown}  {spec.description}")


@scheduler_group.command("run")
@click.argument("job_id")
def scheduler_run(job_id: str) -> None:
    """Run one job now, in this process (recorded on the jobs page like any run)."""
    from frontdoor.scheduler import REGISTRY, run_job

    if job_id not in REGISTRY:
        raise click.BadParameter(f"no job {job_id!r}; see `frontdoor scheduler jobs`")
    run = run_job(job_id)
    click.echo(f"{job_id}: {run.status} ({run.result})")


def register(app: Flask) -> None:
    from frontdoor.area_import import areas_cli

    app.cli.add_command(areas_cli)
    app.cli.add_command(scheduler_group)
    app.cli.add_command(staff_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(urls_command)
