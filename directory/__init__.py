"""The council's directory: partner organisations and their services, kept checked,
read from and published as Open Referral UK 3.0 (``directory.oruk``)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from directory import api

    app.register_blueprint(api.bp)
