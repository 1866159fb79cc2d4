"""Reach reports (issue 12): for one hub or all of a person's hubs, for a month, a
quarter, a financial year or any dates. Each figure is a chart and a table with
the same numbers, and downloads as CSV; the quarterly return is every figure in one
file. Managers and council admins see their hubs; a session lead, their own series
(``reports.access``). Every download is written to the audit log."""

from __future__ import annotations

from flask import Response, abort, g, render_template, request
from wtforms import SelectChoice

from admin import bp
from admin.forms.reports import ReportForm
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub
from frontdoor.staff_auth import hubs_for, staff, staff_required
from frontdoor.words.staff import add_service_errors
from reports.access import REPORT_ROLES, report_for
from reports.charts import bar_chart
from reports.export import figure_csv, quarterly_return, record_export, table_rows
from reports.figures import Reach
from reports.periods import Period, period_for, this_quarter


def _form() -> tuple[ReportForm, list[Hub]]:
    form = ReportForm(request.args)
    hubs = hubs_for(staff(), REPORT_ROLES)
    form.hub.choices = [
        SelectChoice("", "All my hubs"),
        *(SelectChoice(hub.slug, hub.name) for hub in hubs),
    ]
    if not form.quarter.data:
        form.quarter.data = this_quarter(clock.local(clock.now()).date())
    return form, ([g.hub] if "hub" in g else hubs)


def _report(form: ReportForm, hubs: list[Hub]) -> tuple[Period, Reach] | None:
    if not form.validate():
        return None
    try:
        period = period_for(
            form.period.data or "quarter",
            month_text=form.month.data or "",
            quarter_text=form.quarter.data or "",
            year_text=form.year.data or "",
            first=form.first.data,
            last=form.last.data,
        )
    except ServiceError as error:
        add_service_errors(form, [error])
        return None
    return period, report_for(staff(), hubs, period.first, period.last)


def _where(hubs: list[Hub]) -> str:
    return hubs[0].slug if "hub" in g else "all"


@bp.route("/reports")
@staff_required(*REPORT_ROLES)
def reports():
    form, hubs = _form()
    made = _report(form, hubs)
    return render_template(
        "admin/reports/index.html",
        title="Reports",
        form=form,
        period=made[0] if made else None,
        reach=made[1] if made else None,
        chart=bar_chart,
        table_rows=table_rows,
        query=request.query_string.decode(),
        where="all my hubs" if "hub" not in g else hubs[0].name,
    )


def _download(text: str, name: str, hubs: list[Hub], what: str) -> Response:
    one = hubs[0].id if "hub" in g else None
    record_export(what, staff_id=staff().id, hub_id=one, subject_id=one)
    db.session.commit()
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@bp.route("/reports/figure.csv")
@staff_required(*REPORT_ROLES)
def report_figure_csv():
    form, hubs = _form()
    made = _report(form, hubs)
    figure = made[1].figure(request.args.get("figure", "summary")) if made else None
    if made is None or figure is None:
        abort(404)
    period = made[0]
    name = f"{figure.slug}-{_where(hubs)}-{period.first}-{period.last}"
    return _download(figure_csv(figure), name, hubs, f"{figure.slug} {period.label}")


@bp.route("/reports/return.csv")
@staff_required(*REPORT_ROLES)
def report_return_csv():
    form, hubs = _form()
    made = _report(form, hubs)
    if made is None:
        abort(404)
    period, reach = made
    name = f"reach-return-{_where(hubs)}-{period.first}-{period.last}"
    return _download(quarterly_return(reach, _where(hubs)), name, hubs, f"return {period.label}")
