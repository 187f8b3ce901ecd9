"""Forms check shape only; the services decide (STYLE rule 11).

The consultation form has no field for who the client was: no name, contact, address, birth
date or diagnosis — and its note warns against writing them.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core import bounds
from app.quotas.models import ClientType, ConsultationFormat, MentoringKind


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


FORMAT_CHOICES = [(f.value, f.label) for f in ConsultationFormat]
CLIENT_CHOICES = [(c.value, c.label) for c in ClientType]


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class PlanForm(FlaskForm):
    target = IntegerField(_l("Target: consultations per trainee"),
                          validators=[InputRequired(), bounds.form_max("quota_plans.target")],
                          description=_l("For example 20, as in the KPD NKO programme."))
    starts_on = DateField(_l("Window opens"), validators=[InputRequired()])
    deadline = DateField(_l("Deadline"), validators=[InputRequired()])
    formats = MultiCheckboxField(_l("Formats that count"), choices=FORMAT_CHOICES)
    topics = TextAreaField(_l("Topic categories"), validators=[Optional(), Length(max=5000)],
                           description=_l("One per line as “code: name”, e.g. “rights: Patients’ rights”."))
    behind_percent = IntegerField(_l("“Behind” below this share of the expected count, %"),
                                  validators=[InputRequired(), bounds.form_max("quota_plans.behind_percent")],
                                  default=70)
    curators = MultiCheckboxField(_l("Curators"), coerce=bounds.id_from, choices=[])


class ConsultationForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    format = RadioField(_l("Format"), choices=FORMAT_CHOICES, validators=[InputRequired()])
    topic = SelectField(_l("Topic category"), choices=[], validators=[Optional()], validate_choice=False)
    duration_minutes = IntegerField(_l("Duration, minutes"),
                                    validators=[InputRequired(), bounds.form_max("consultations.duration_minutes")])
    client_type = RadioField(_l("Client"), choices=CLIENT_CHOICES, validators=[InputRequired()])
    is_repeat = BooleanField(_l("Repeat consultation (the same client as before)"))
    note = TextAreaField(_l("Short note"), validators=[Optional(), Length(max=500)],
                         description=_l("Do not write the client’s name, contacts, address, birth date or "
                                        "diagnosis: only what the consultation was about."))

    def data_for_service(self) -> dict:
        return {"held_on": self.held_on.data, "format": self.format.data, "topic": self.topic.data or None,
                "duration_minutes": self.duration_minutes.data, "client_type": self.client_type.data,
                "is_repeat": self.is_repeat.data, "note": self.note.data or ""}


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment for the trainee (required to return)"), validators=[Length(max=2000)])


class QueueFilterForm(FlaskForm):
    """GET filters of the review queue (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    trainee = SelectField(_l("Trainee"), validators=[Optional()], choices=[], validate_choice=False)
    format = SelectField(_l("Format"), validators=[Optional()], choices=[], validate_choice=False)

    def filters(self) -> dict:
        """{"trainee_id", "fmt"}: the valid ones, None for "all" or anything unknown."""
        known = {str(value) for value, _label in self.trainee.choices}
        trainee = self.trainee.data if self.trainee.data in known and self.trainee.data else None
        fmt = self.format.data if self.format.data in {f.value for f in ConsultationFormat} else None
        return {"trainee_id": int(trainee) if trainee else None, "fmt": fmt}


class BulkAcceptForm(FlaskForm):
    consultation_ids = MultiCheckboxField(_l("Waiting consultations"), coerce=bounds.id_from, choices=[],
                                          validate_choice=False)


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class QuotaChangeForm(FlaskForm):
    target = IntegerField(_l("New target"), validators=[Optional(), NumberRange(min=1), bounds.form_max("consultation_quotas.target")])
    deadline = DateField(_l("New deadline"), validators=[Optional()])
    reason = TextAreaField(_l("Reason (kept in the history)"), validators=[Length(max=2000)])


class CuratorForm(FlaskForm):
    curator = SelectField(_l("Curator"), choices=[], validators=[Optional()])


class AddTraineeForm(FlaskForm):
    user_id = SelectField(_l("Confirmed participant"), choices=[], validators=[InputRequired()])


class CatchUpForm(FlaskForm):
    per_week = IntegerField(_l("Consultations a week until the deadline"),
                            validators=[InputRequired(), bounds.form_max("catch_up_plans.per_week")])
    note = TextAreaField(_l("How you will catch up"), validators=[Optional(), Length(max=2000)])


class CatchUpDecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment (required to return the plan)"), validators=[Length(max=2000)])


class MentoringForm(FlaskForm):
    kind = RadioField(_l("Individual or group"), choices=[(k.value, k.label) for k in MentoringKind],
                      validators=[InputRequired()], default=MentoringKind.INDIVIDUAL.value)
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    starts_at = TimeField(_l("Time"), validators=[Optional()])
    topic = StringField(_l("Topic of the session"), validators=[InputRequired(), Length(max=300)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)],
                          description=_l("No client’s personal data here either."))
    quota_ids = MultiCheckboxField(_l("Trainees"), coerce=bounds.id_from, choices=[])


class CohortFilterForm(FlaskForm):
    """GET filters of the cohort page (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    show = SelectField(_l("Show"), validators=[Optional()], choices=[
        ("", _l("Everyone")), ("behind", lazy_pgettext("quota", "Behind")), ("not_started", _l("Not started")),
        ("inactive", _l("Inactive for 14 days"))])
    region = SelectField(_l("Region"), validators=[Optional()], choices=[], validate_choice=False)
    curator = SelectField(_l("Curator"), validators=[Optional()], choices=[], validate_choice=False)
    sort = SelectField(_l("Sort by"), validators=[Optional()], choices=[
        ("status", _l("Status (most urgent first)")), ("progress", _l("Progress")), ("region", _l("Region")),
        ("curator", _l("Curator")), ("name", _l("Trainee’s name"))])
    order = SelectField(_l("Order"), validators=[Optional()],
                        choices=[("asc", _l("Ascending")), ("desc", _l("Descending"))])

    def filters(self) -> dict:
        if not self.validate():
            return {}
        curator = self.curator.data
        return {"show": self.show.data or None, "region": self.region.data or None,
                "curator_id": bounds.id_or_none(curator) if curator else None,
                "sort": self.sort.data or "status", "descending": self.order.data == "desc"}


def entry_data(body: dict) -> dict:
    """A consultation sent as JSON from the offline form (the API's field names) as the service's data;
    what does not parse is left for the service to name beside its field."""
    try:
        held_on = date.fromisoformat(str(body.get("date") or ""))
    except ValueError:
        held_on = None
    duration = body.get("duration_minutes")
    if isinstance(duration, str) and duration.strip().isdigit():
        duration = int(duration.strip())
    if not isinstance(duration, int) or isinstance(duration, bool):
        duration = None
    return {"held_on": held_on, "format": str(body.get("format") or ""), "topic": str(body.get("topic") or "") or None,
            "duration_minutes": duration, "client_type": str(body.get("client_type") or ""),
            "is_repeat": body.get("is_repeat") is True, "note": str(body.get("note") or "")}
