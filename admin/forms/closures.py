"""The form for a day the hub is closed."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField

from admin.forms import DayMonthYearField, Required
from frontdoor.fields import CleanForm


class ClosureForm(CleanForm):
    day = DayMonthYearField(
        "Day the hub is closed",
        description="For example, 27 3 2027",
        validators=[Required("Enter the day the hub is closed")],
    )
    reason = StringField("Reason", widget=GovTextInput(), description="For example, Staff training")
