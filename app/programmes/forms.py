"""Programme forms: shape only (types, lengths); rules live in services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core import bounds
from app.core.text_fields import TEXT_MAX
from app.programmes import services
from app.programmes.models import HoursUnit


class ProgrammeForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=services.TITLE_MAX)])
    funder = StringField(_l("Funder"), validators=[Optional(), Length(max=services.FUNDER_MAX)],
                         description=_l("For example, Presidential Grants Foundation."))
    grant_number = StringField(_l("Grant number"), validators=[Optional(), Length(max=services.GRANT_MAX)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    regions = SelectMultipleField(_l("Regions"), validate_choice=False,
                                  description=_l("Hold Ctrl (⌘ on a Mac) to choose several regions."))
    target_groups = TextAreaField(_l("Target groups"), validators=[Optional(), Length(max=TEXT_MAX)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=TEXT_MAX)])
    hours_unit = SelectField(_l("Hours on certificates"), choices=[(u.value, u.label) for u in HoursUnit],
                             default=HoursUnit.CLOCK.value,
                             description=_l("How certificates of the programme's events count their volume."))
    organisers = SelectMultipleField(_l("Organisers"), coerce=bounds.id_from, validate_choice=False,
                                     description=_l("They can edit the programme and its events."))
    submit = SubmitField(_l("Save"))

    def data_for_service(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "title", "funder", "grant_number", "starts_on", "ends_on", "regions", "target_groups",
            "description", "organisers", "hours_unit")}


class StageForm(FlaskForm):
    number = IntegerField(_l("Number"), validators=[InputRequired(), NumberRange(
        min=bounds.of("programme_stages.number").low, max=bounds.of("programme_stages.number").high)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=services.TITLE_MAX)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=TEXT_MAX)])
    submit = SubmitField(_l("Save"))

    def data_for_service(self) -> dict:
        return {name: getattr(self, name).data for name in ("number", "title", "starts_on", "ends_on", "description")}


class PlanItemForm(FlaskForm):
    number = StringField(_l("No."), validators=[DataRequired(), Length(max=services.NUMBER_MAX)],
                         description=_l("As in the grant application, e.g. 1 or 2.3."))
    activity = TextAreaField(_l("Activity, its content and place"),
                             validators=[DataRequired(), Length(max=services.ACTIVITY_MAX)])
    planned_start = DateField(_l("Planned start"), validators=[DataRequired()])
    planned_end = DateField(_l("Planned end"), validators=[DataRequired()])
    stage_id = SelectField(_l("Stage"), validate_choice=False)
    event_ids = SelectMultipleField(_l("Linked events"), coerce=bounds.id_from, validate_choice=False,
                                    description=_l("Events of this programme that carry out the activity."))
    submit = SubmitField(_l("Save"))

    def data_for_service(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "number", "activity", "planned_start", "planned_end", "event_ids")}
        data["stage_id"] = bounds.id_or_none(self.stage_id.data or "")
        return data
