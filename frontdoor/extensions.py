"""Flask extensions, created unbound and initialised by the app factory."""

from typing import Any, cast

from flask_babel import Babel
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CursorResult
from sqlalchemy.sql.expression import Executable

from frontdoor.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = HTMX()


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the current transaction; how many rows it changed.

    The conditional UPDATEs that make claims, escalations and leases safe read
    their answer here (``execute`` is typed as returning a plain ``Result``)."""
    result = cast(CursorResult[Any], db.session.execute(statement))
    return result.rowcount
