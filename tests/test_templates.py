"""Templates in tests fail on a name nobody gave them (``strict_templates``)."""

from __future__ import annotations

import pytest
from flask import render_template
from jinja2 import UndefinedError


def test_a_page_missing_a_name_it_uses_fails_instead_of_printing_nothing(app):
    with (
        app.test_request_context("/"),
        pytest.raises(UndefinedError, match="'title' is undefined"),
    ):
        render_template("errors/page.html", code=404, body="Check the address.")


def test_gov_uk_templates_keep_their_optional_names(app):
    """GOV.UK Frontend's page template tests names such as ``htmlClasses`` that we
    never set: only our own templates are strict."""
    with app.test_request_context("/"):
        page = render_template("errors/page.html", code=404, title="Not found", body="Check.")
    assert "govuk-template" in page and "Not found" in page
