"""The staff home page: the hubs you work at and what you can do there."""

from __future__ import annotations

from flask import render_template

from admin import bp
from frontdoor.models import Role
from frontdoor.staff_auth import hubs_for, staff, staff_required


@bp.route("/")
@staff_required()
def home():
    user = staff()
    hubs = hubs_for(user, Role)
    return render_template(
        "admin/home.html",
        title="Home",
        hubs=[(hub, sorted(user.roles_at(hub.id), key=list(Role).index)) for hub in hubs],
        Role=Role,
    )
