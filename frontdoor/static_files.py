"""Built assets served compressed: ``make assets`` writes a ``.gz`` beside each
stylesheet and script, and a browser that accepts gzip gets that file instead.

A proxy in front would do the same; doing it here keeps the kiosk's first load
small on a plain gunicorn install too.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Flask, Response, request, send_file
from werkzeug.security import safe_join

COMPRESSED = (".css", ".js", ".mjs", ".svg")


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "")

    def static(filename: str) -> Response:
        if filename.endswith(COMPRESSED) and "gzip" in request.headers.get("Accept-Encoding", ""):
            packed = safe_join(str(folder), filename + ".gz")
            if packed and Path(packed).is_file():
                response = send_file(
                    packed,
                    mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream",
                    max_age=app.get_send_file_max_age(filename),
                    conditional=True,
                )
                response.headers["Content-Encoding"] = "gzip"
                response.vary.add("Accept-Encoding")
                return response
        served = app.send_static_file(filename)
        served.vary.add("Accept-Encoding")
        return served

    app.view_functions["static"] = static
