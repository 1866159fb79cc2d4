"""The council's read-only Open Referral UK 3.0 API, under ``/openreferral/``:

- ``/openreferral/``: which version and profile it follows (``api_meta``);
- ``/openreferral/services?page=1&per_page=50``: a page of services, as the ORUK API
  pages them (``page_json``);
- ``/openreferral/services/<id>``: one service (``service_json``).

What is published, in what order, is ``directory.published``. Answers are JSON,
errors too: a bad ``page`` or ``per_page`` is a 400, an unknown id a 404. Public,
like the booking site: nothing here is personal.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from directory.oruk import api_meta, page_json, service_json
from directory.published import paging, published_service, services_page
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.staff_auth import public
from frontdoor.words.staff import for_staff

bp = Blueprint("openreferral", __name__, url_prefix="/openreferral")

PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/openapi.json"
# Longer than any id a publisher writes: anything longer is no id of ours.
MAX_ID_LENGTH = 100


def _base_url() -> str:
    return current_app.config["FRONTDOOR"].base_url


def _error(status: int, code: str, message: str):
    return jsonify({"status": status, "error": code, "message": message}), status


@bp.route("/")
@public
def meta():
    return jsonify(api_meta(PROFILE_URL, OPENAPI_URL))


@bp.route("/services")
@public
def services():
    try:
        number, per_page = paging(request.args.get("page"), request.args.get("per_page"))
    except ServiceError as error:
        return _error(400, error.code, for_staff(error))
    page = services_page(number, per_page, today=clock.today(), base_url=_base_url())
    return jsonify(page_json(page.services, page=page.number, size=page.per_page, total=page.total))


@bp.route("/services/<oruk_id>")
@public
def service(oruk_id: str):
    found = None
    if len(oruk_id) <= MAX_ID_LENGTH:
        found = published_service(oruk_id, today=clock.today(), base_url=_base_url())
    if found is None:
        return _error(404, "not_found", "No service has that id")
    return jsonify(service_json(found))
