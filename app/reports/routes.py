"""Report pages under /manage/programmes/<id>/…, and the organiser's dashboard at /manage."""
from datetime import date, datetime
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app import clock, permissions
from app.core import bounds
from app.programmes import services as programmes
from app.programmes.models import Programme
from app.reports import (
    analytical,
    analytical_export,
    breakdowns,
    charts,
    dashboard,
    exports,
    freshness,
    indicators,
    report,
    snapshots,
)
from app.reports.forms import DeviationsForm, FreezeForm, ManualFactForm, indicator_form
from app.reports.models import ReportSnapshot
from app.routing import confirmation, form_status, found, submit

bp = Blueprint("reports", __name__)


@bp.app_template_filter("isodate")
def _isodate(value):
    return date.fromisoformat(value) if value else None


@bp.app_template_filter("isodatetime")
def _isodatetime(value):
    """A stored report's aware ISO moment ("generated_at"), to be shown in the programme's zone."""
    return datetime.fromisoformat(value) if value else None


def _programme(programme_id: int) -> Programme:
    return permissions.require("programme.report", found(programmes.load_programme(programme_id)))


def _stage_or_404(programme: Programme, stage_id: int):
    return found(next((s for s in programme.stages if s.id == stage_id), None))


def _charts_html(programme: Programme, data: dict, rows: list[dict], stage, live: bool) -> dict[str, Markup]:
    """The report's SVG charts as HTML ({"plan", "more"}). The live report's come from the report cache, kept
    for the same programme version as `data` (their drawing costs more than the rest of the page)."""
    def rendered(_ids=None, _at=None) -> dict:
        drawn = exports.chart_set({**data, "indicators": rows})
        return {programme.id: {part: Markup(render_template("reports/_report_charts.html", part=part, data=data,
                                                            stage=stage, **drawn))
                               for part in ("plan", "more")}}

    if not live:
        return rendered()[programme.id]
    return freshness.cached("report_charts", [programme.id], rendered,
                            variant=f"{get_locale()}:{stage.id if stage else ''}")[programme.id]


def _render_report(programme: Programme, data: dict, *, stage=None, snapshot: ReportSnapshot | None = None):
    stage_data = next((s for s in data["stages"] if s["id"] == stage.id), None) if stage else None
    rows = stage_data["indicators"] if stage_data else data["indicators"]
    deviations_text = stage_data["deviations"] if stage_data else data["deviations"]
    form = DeviationsForm(deviations=deviations_text) if snapshot is None else None
    return render_template(
        "reports/report.html", programme=programme, data=data, stage=stage, stage_data=stage_data, rows=rows,
        deviations_text=deviations_text, snapshot=snapshot, deviations_form=form, freeze_form=FreezeForm(),
        snapshots=snapshots.snapshots_of(programme), status_label=report.status_labeller(),
        plan_state_label=exports.plan_state_label, charts=_charts_html(programme, data, rows, stage, snapshot is None),
        deviation_notes=analytical.deviation_notes(programme) if snapshot is None else {})


# --- dashboard ----------------------------------------------------------------------------------

@bp.get("/manage")
@login_required
def dashboard_page():
    permissions.require("manage.area")
    return render_template("reports/dashboard.html", board=dashboard.dashboard(current_user))


# --- the report ---------------------------------------------------------------------------------

@bp.get("/manage/programmes/<int:programme_id>/report")
@login_required
def show(programme_id: int):
    programme = _programme(programme_id)
    return _render_report(programme, report.build(programme.id))


@bp.get("/manage/programmes/<int:programme_id>/report/stages/<int:stage_id>")
@login_required
def stage(programme_id: int, stage_id: int):
    programme = _programme(programme_id)
    return _render_report(programme, report.build(programme.id), stage=_stage_or_404(programme, stage_id))


def _export(programme: Programme, data: dict, fmt: str, name: str) -> Response:
    filename = f"report-{programme.id}-{name}"
    if fmt == "xlsx":
        body = exports.xlsx(data)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body = exports.csv_text(data).encode("utf-8")
        mimetype = "text/csv; charset=utf-8"
    else:
        wanted = request.args.get("lang")
        locale = wanted if wanted in current_app.config["LANGUAGES"] else str(get_locale() or "ru")
        body = exports.pdf(data, locale, timezone=programme.timezone)
        mimetype = "application/pdf"
    return Response(body, content_type=mimetype,  # as given: a mimetype would get a second charset
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})


@bp.get("/manage/programmes/<int:programme_id>/report.<any(xlsx, csv, pdf):fmt>")
@login_required
def export(programme_id: int, fmt: str):
    programme = _programme(programme_id)
    return _export(programme, report.build(programme.id), fmt, clock.now().date().isoformat())


@bp.get("/manage/programmes/<int:programme_id>/report/analytical.<any(docx, pdf):fmt>")
@login_required
def analytical_report(programme_id: int, fmt: str):
    """The analytical report for the funder: ?layout=pgf (the Presidential Grants Fund's form, in Russian, the
    default) or ?layout=neutral (in the reader's language, or ?lang=)."""
    programme = _programme(programme_id)
    layout = request.args.get("layout") or analytical.PGF
    if layout not in analytical.LAYOUTS:
        abort(404)
    locale = analytical.locale_for(layout, request.args.get("lang"), current_app.config["LANGUAGES"],
                                   str(get_locale() or "ru"))
    file = analytical_export.document(programme, layout, fmt, locale)
    disposition = f"attachment; filename=\"{file.ascii_filename}\"; filename*=UTF-8''{quote(file.filename, safe='')}"
    return Response(file.body, mimetype=file.mimetype, headers={"Content-Disposition": disposition})


@bp.post("/manage/programmes/<int:programme_id>/report/deviations")
@login_required
def save_deviations(programme_id: int):
    programme = _programme(programme_id)
    form = DeviationsForm()
    stage_id = request.form.get("stage_id", type=bounds.id_from)
    target = url_for(".stage", programme_id=programme.id, stage_id=stage_id) if stage_id else \
        url_for(".show", programme_id=programme.id)
    if not form.validate_on_submit():
        flash(" ".join(form.deviations.errors) or _("The text could not be saved."), "danger")
        return redirect(target)
    indicators.save_deviations(programme, current_user, form.deviations.data or "", stage_id)
    flash(_("The deviations text is saved."), "success")
    return redirect(target + "#deviations-heading")


@bp.post("/manage/programmes/<int:programme_id>/report/freeze")
@login_required
def freeze(programme_id: int):
    programme = _programme(programme_id)
    form = FreezeForm()
    if not form.validate_on_submit():
        flash(" ".join(form.label.errors) or _("The report could not be frozen."), "danger")
        return redirect(url_for(".show", programme_id=programme.id))
    snapshot = snapshots.freeze(programme, current_user, form.label.data or "")
    flash(_("The report is frozen. This snapshot will not change."), "success")
    return redirect(url_for(".snapshot", programme_id=programme.id, snapshot_id=snapshot.id))


@bp.get("/manage/programmes/<int:programme_id>/report/snapshots/<int:snapshot_id>")
@login_required
def snapshot(programme_id: int, snapshot_id: int):
    programme = _programme(programme_id)
    frozen = snapshots.snapshot_in(programme, snapshot_id)
    return _render_report(programme, frozen.data, snapshot=frozen)


@bp.get("/manage/programmes/<int:programme_id>/report/snapshots/<int:snapshot_id>.<any(xlsx, csv, pdf):fmt>")
@login_required
def snapshot_export(programme_id: int, snapshot_id: int, fmt: str):
    programme = _programme(programme_id)
    frozen = snapshots.snapshot_in(programme, snapshot_id)
    return _export(programme, frozen.data, fmt, f"snapshot-{frozen.id}")


@bp.get("/manage/programmes/<int:programme_id>/report/compare")
@login_required
def compare(programme_id: int):
    programme = _programme(programme_id)
    before_id = request.args.get("before", type=bounds.id_from)
    if before_id is None:  # nothing chosen yet: the newest snapshot against the live report
        frozen = snapshots.snapshots_of(programme)
        if not frozen:
            return redirect(url_for(".show", programme_id=programme.id))
        before_id = frozen[0].id
    before = snapshots.snapshot_in(programme, before_id)
    after_id = request.args.get("after", "live")
    after = None if after_id == "live" else snapshots.snapshot_in(programme, bounds.id_or_none(after_id) or 0)
    after_data = report.build(programme.id) if after is None else after.data
    return render_template("reports/compare.html", programme=programme, before=before, after=after,
                           rows=snapshots.compare(before.data, after_data), snapshots=snapshots.snapshots_of(programme))


# --- indicators ---------------------------------------------------------------------------------

@bp.get("/manage/programmes/<int:programme_id>/indicators")
@login_required
def indicator_list(programme_id: int):
    programme = _programme(programme_id)
    return render_template("reports/indicators.html", programme=programme,
                           indicators=indicators.indicators_of(programme), source_label=report.source_label)


def _indicator_page(programme, form, indicator=None):
    return render_template("reports/indicator_form.html", programme=programme, form=form, indicator=indicator), \
        form_status(form)


@bp.route("/manage/programmes/<int:programme_id>/indicators/new", methods=["GET", "POST"])
@login_required
def indicator_create(programme_id: int):
    programme = _programme(programme_id)
    form = indicator_form(programme, programmes.linkable_events(programme))
    saved = submit(form, lambda: indicators.create_indicator(programme, current_user, form.data_for_service()),
                   done=_("The indicator is added."), to=url_for(".indicator_list", programme_id=programme.id))
    if saved:
        return saved
    return _indicator_page(programme, form)


@bp.route("/manage/programmes/<int:programme_id>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def indicator_edit(programme_id: int, indicator_id: int):
    programme = _programme(programme_id)
    indicator = indicators.indicator_in(programme, indicator_id)
    form = indicator_form(programme, programmes.linkable_events(programme), obj=indicator)
    saved = submit(form, lambda: indicators.update_indicator(indicator, current_user, form.data_for_service()),
                   done=_("The indicator is saved."), to=url_for(".indicator_list", programme_id=programme.id))
    if saved:
        return saved
    return _indicator_page(programme, form, indicator)


@bp.post("/manage/programmes/<int:programme_id>/indicators/<int:indicator_id>/delete")
@login_required
def indicator_delete(programme_id: int, indicator_id: int):
    programme = _programme(programme_id)
    indicator = indicators.indicator_in(programme, indicator_id)
    asked = confirmation(_("Delete this indicator?"), button=_("Yes, delete it"),
                         back=url_for(".indicator_list", programme_id=programme.id),
                         consequences=[_("Its target and the figures entered for it are deleted with it.")])
    if asked is not None:
        return asked
    indicators.delete_indicator(indicator, current_user)
    flash(_("The indicator is deleted."), "success")
    return redirect(url_for(".indicator_list", programme_id=programme.id))


@bp.post("/manage/programmes/<int:programme_id>/indicators/<int:indicator_id>/move")
@login_required
def indicator_move(programme_id: int, indicator_id: int):
    programme = _programme(programme_id)
    offset = -1 if request.form.get("direction") == "up" else 1
    indicators.move_indicator(indicators.indicator_in(programme, indicator_id), current_user, offset)
    return redirect(url_for(".indicator_list", programme_id=programme.id))


@bp.route("/manage/programmes/<int:programme_id>/indicators/<int:indicator_id>/fact", methods=["GET", "POST"])
@login_required
def manual_fact(programme_id: int, indicator_id: int):
    programme = _programme(programme_id)
    indicator = indicators.indicator_in(programme, indicator_id)
    if not indicator.is_manual:
        abort(404)
    form = ManualFactForm()
    form.stage_id.choices = [("", _("The whole programme"))] + [
        (str(s.id), _("Stage %(number)d: %(title)s", number=s.number, title=s.title)) for s in programme.stages]
    if not form.is_submitted():
        chosen = request.args.get("stage_id", type=bounds.id_from)
        form.stage_id.data = chosen
        typed = indicator.manual_fact(chosen)
        if typed is not None:
            form.value.data, form.note.data, form.evidence_url.data = typed.value, typed.note, typed.evidence_url
    saved = submit(form, lambda: indicators.record_manual_fact(indicator, current_user, form.data_for_service()),
                   done=_("The fact is saved."), to=url_for(".show", programme_id=programme.id))
    if saved:
        return saved
    return render_template("reports/fact_form.html", programme=programme, indicator=indicator, form=form), \
        form_status(form)


@bp.get("/manage/programmes/<int:programme_id>/indicators/<int:indicator_id>/breakdown")
@login_required
def breakdown(programme_id: int, indicator_id: int):
    programme = _programme(programme_id)
    indicator = indicators.indicator_in(programme, indicator_id)
    dimensions = breakdowns.dimensions_for(indicator)
    if not dimensions:
        abort(404)
    by = request.args.get("by") or dimensions[0][0]
    if by not in {key for key, *_labels in dimensions}:
        abort(404)
    rows = breakdowns.breakdown(indicator, programme, by)
    return render_template("reports/breakdown.html", programme=programme, indicator=indicator, by=by,
                           dimensions=dimensions, rows=rows,
                           chart=charts.horizontal([(r["label"], r["value"]) for r in rows]))
