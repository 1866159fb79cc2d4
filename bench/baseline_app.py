"""The yardstick the kiosk targets are set against: a bare Flask request that does
one INSERT, served the same way (gunicorn, 2 workers, threads, PostgreSQL)."""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["FRONTDOOR_DATABASE_URL"], pool_size=10)
app = Flask(__name__)


@app.post("/insert")
def insert():
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bench_baseline (at) VALUES (now())"))
    return "", 204


@app.get("/")
def ready():
    return "ready"
