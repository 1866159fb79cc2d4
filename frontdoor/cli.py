"""The ``frontdoor`` command: a Flask CLI group bound to ``create_app``.

``frontdoor db upgrade``, ``frontdoor demo``, ``frontdoor staff create``,
``frontdoor run`` (and every ``flask`` command) work; so does ``flask --app frontdoor``.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app():
    from frontdoor import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Front Door: check-in kiosk and booking for Family Hubs."""


def register_commands(app: Flask) -> None:
    from frontdoor import commands

    commands.register(app)


if __name__ == "__main__":
    main()
