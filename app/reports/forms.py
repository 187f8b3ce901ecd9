"""Report forms: shape only (types, lengths); rules live in app/reports/indicators.py."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.text_fields import TEXT_MAX
from app.events.models import EventKind
from app.reports import indicators, sources
from app.reports.models import MANUAL

WHOLE = NumberRange(min=0, max=indicators.PLAN_MAX)


def _int_or_none(value):
    return int(value) if str(value or "").isdigit() else None


class IndicatorFormBase(FlaskForm):
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=indicators.NAME_MAX)],
                       description=_l("As in the grant application, e.g. “Consultants trained”."))
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=indicators.UNIT_MAX)],
                       description=_l("For example, people. Empty: the source's own unit."))
    plan = IntegerField(_l("Plan for the whole programme"), validators=[Optional(), WHOLE],
        description=_l("The end-of-programme target; it is not the sum of the stage targets."))
    source = SelectField(_l("Where the fact comes from"), validate_choice=False)
    description = TextAreaField(_l("Notes on the indicator"), validators=[Optional(), Length(max=TEXT_MAX)])
    deviation_note = TextAreaField(
        _l("Deviation from the plan and its reason"), validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("Shown beside the indicator in the report and the analytical report, e.g. "
                       "“Two meetings moved to March: the team was ill in November.”"))
    filter_stage_id = SelectField(_l("Only this stage"), validate_choice=False, coerce=_int_or_none)
    filter_event_kind = SelectField(_l("Only events of this kind"), validate_choice=False)
    filter_event_id = SelectField(_l("Only this event"), validate_choice=False, coerce=_int_or_none)
    filter_date_from = DateField(_l("Events from"), validators=[Optional()])
    filter_date_to = DateField(_l("Events until"), validators=[Optional()])
    filter_option = SelectField(_l("Only this service or certificate kind"), validate_choice=False,
                                description=_l("For “People served on trips” and “Certificates issued”."))
    submit = SubmitField(_l("Save"))

    stage_plan_names: list[str] = []

    def data_for_service(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "name", "unit", "plan", "source", "description", "deviation_note", "filter_stage_id", "filter_event_kind",
            "filter_event_id", "filter_date_from", "filter_date_to", "filter_option")}
        for name in self.stage_plan_names:
            data[name] = getattr(self, name).data
        return data


def indicator_form(programme, events, obj=None) -> IndicatorFormBase:
    """The indicator form with one optional plan field per stage of the programme."""

    class IndicatorForm(IndicatorFormBase):
        pass

    names = []
    for stage in programme.stages:
        name = f"stage_plan_{stage.id}"
        setattr(IndicatorForm, name, IntegerField(
            _l("Plan for stage %(number)d", number=stage.number), validators=[Optional(), WHOLE]))
        names.append(name)
    IndicatorForm.stage_plan_names = names
    form = IndicatorForm(obj=obj)
    form.source.choices = [(MANUAL, _l("Entered by hand (with a note and an evidence link)"))] + sources.choices()
    form.filter_stage_id.choices = [("", _l("— all stages —"))] + [
        (str(s.id), _l("Stage %(number)d: %(title)s", number=s.number, title=s.title)) for s in programme.stages]
    form.filter_event_kind.choices = [("", _l("— all kinds —"))] + [(k.value, k.label) for k in EventKind]
    form.filter_event_id.choices = [("", _l("— all events —"))] + [(str(e.id), e.title) for e in events]
    options = {}
    for source in sources.SOURCES.values():
        options.update(dict(source.options))
    form.filter_option.choices = [("", _l("— all —"))] + list(options.items())
    if obj is not None and not form.is_submitted():
        filters = obj.filters or {}
        form.filter_stage_id.data = filters.get("stage_id")
        form.filter_event_kind.data = filters.get("event_kind") or ""
        form.filter_event_id.data = filters.get("event_id")
        form.filter_option.data = filters.get("option") or ""
        form.filter_date_from.data = date.fromisoformat(filters["date_from"]) if filters.get("date_from") else None
        form.filter_date_to.data = date.fromisoformat(filters["date_to"]) if filters.get("date_to") else None
        for plan in obj.stage_plans:
            field = getattr(form, f"stage_plan_{plan.stage_id}", None)
            if field is not None:
                field.data = plan.plan
    return form


class ManualFactForm(FlaskForm):
    stage_id = SelectField(_l("For"), validate_choice=False, coerce=_int_or_none)
    value = IntegerField(_l("Fact"), validators=[Optional(), WHOLE],
                         description=_l("Leave empty to remove the fact."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=TEXT_MAX)],
                         description=_l("How the figure was obtained, e.g. “site statistics for March–June”."))
    evidence_url = StringField(_l("Evidence link"), validators=[Optional(), Length(max=indicators.URL_MAX)],
                               description=_l("A link to the document, statistics page or photo report."))
    submit = SubmitField(_l("Save"))

    def data_for_service(self) -> dict:
        return {name: getattr(self, name).data for name in ("stage_id", "value", "note", "evidence_url")}


class DeviationsForm(FlaskForm):
    deviations = TextAreaField(_l("Deviations from the plan and their reasons"),
                               validators=[Optional(), Length(max=TEXT_MAX)])
    submit = SubmitField(_l("Save the text"))


class FreezeForm(FlaskForm):
    label = StringField(_l("Snapshot name"), validators=[Optional(), Length(max=200)],
                        description=_l("For example, “Report for stage 1 to the funder”."))
    submit = SubmitField(_l("Freeze the report"))
