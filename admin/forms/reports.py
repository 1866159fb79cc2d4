"""The reach report's choices: a hub (or all), and a period. Asked by GET, so the
address can be bookmarked and shared between managers (it holds no family data)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import RadioField, SelectChoice, SelectField, StringField

from admin.forms import DayMonthYearField
from frontdoor.fields import CleanForm
from reports.periods import KINDS


class ReportForm(CleanForm):
    class Meta(CleanForm.Meta):
        csrf = False

    hub = SelectField("Hub", choices=[], validate_choice=False, widget=GovSelect())
    period = RadioField(
        "Period",
        choices=[SelectChoice(kind, words) for kind, words in KINDS.items()],
        default="quarter",
        widget=GovRadioInput(),
    )
    month = StringField("Month", description="For example, 2026-07", widget=GovTextInput())
    quarter = StringField(
        "Quarter", description="For example, 2026Q3 for July to September", widget=GovTextInput()
    )
    year = StringField(
        "Financial year",
        description="The year it starts in: 2026 is April 2026 to March 2027",
        widget=GovTextInput(),
    )
    first = DayMonthYearField("First day", description="For example, 1 4 2026")
    last = DayMonthYearField("Last day", description="For example, 31 3 2027")
