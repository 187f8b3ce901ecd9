"""Forms check shape only; the services decide (STYLE rule 11)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.registrations.models import REGISTRATION_STATUS_LABELS


class RegisterForm(FlaskForm):
    """POST /events/<id>/register: csrf_token and an optional team role (trips)."""

    role = SelectField(_l("Your role in the team"), choices=[], validate_choice=False, validators=[Optional()])


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason (sent to the applicant)"), validators=[Length(max=2000)])


class CheckInForm(FlaskForm):
    """Tick by name (registration_id) or by a scanned ticket (token)."""

    registration_id = IntegerField(validators=[Optional()])
    token = StringField(_l("Ticket code"), validators=[Optional(), Length(max=500)])


class UndoCheckInForm(FlaskForm):
    registration_id = HiddenField()


class ParticipantFilterForm(FlaskForm):
    """GET filters of the participant list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    organisation = SelectField(_l("Organisation"), validators=[Optional()])
    q = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])

    def fill_choices(self, regions: list[tuple[str, str]], organisations: list[tuple[str, str]]) -> None:
        self.status.choices = [("", _l("All statuses"))] + [(s.value, label) for s, label in
                                                             REGISTRATION_STATUS_LABELS.items()]
        self.region.choices = [("", _l("All regions"))] + regions
        self.organisation.choices = [("", _l("All organisations"))] + organisations

    def filters(self) -> dict:
        if not self.validate():
            return {}
        return {"status": self.status.data or None, "region": self.region.data or None,
                "organisation": self.organisation.data or None, "q": self.q.data or None}


class CheckInSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name"), validators=[Optional(), Length(max=200)])
