"""Forms check shape only; the services decide (STYLE rule 11)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core import bounds
from app.registrations.models import Question, QuestionKind, RegistrationStatus


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
        self.status.choices = [("", _l("All statuses"))] + [(s.value, s.label) for s in RegistrationStatus]
        self.region.choices = [("", _l("All regions"))] + regions
        self.organisation.choices = [("", _l("All organisations"))] + organisations

    def filters(self) -> dict:
        if not self.validate():
            return {}
        return {"status": self.status.data or None, "region": self.region.data or None,
                "organisation": self.organisation.data or None, "q": self.q.data or None}


class QueueFilterForm(FlaskForm):
    """GET filters and sort of the approval table (no CSRF: it changes nothing); links work without JS."""

    class Meta:
        csrf = False

    region = SelectField(_l("Region"), validators=[Optional()])
    organisation = SelectField(_l("Organisation"), validators=[Optional()])
    rule = SelectField(_l("Rule"), validators=[Optional()],
                       choices=[SelectChoice("", _l("Any")), SelectChoice("free", _l("Can be approved")),
                                SelectChoice("competing", _l("Competes for the places left")),
                                SelectChoice("refused", _l("No place left: would be refused"))])
    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=200)])
    sort = SelectField(_l("Sort by"), validators=[Optional()],
                       choices=[SelectChoice("applied", _l("Applied")), SelectChoice("name", _l("Full name")), SelectChoice("region", _l("Region")),
                                SelectChoice("organisation", _l("Organisation")), SelectChoice("rule", _l("Rule"))])
    dir = SelectField(_l("Order"), validators=[Optional()],
                      choices=[SelectChoice("asc", _l("Ascending")), SelectChoice("desc", _l("Descending"))])

    def fill_choices(self, regions: list[tuple[str, str]], organisations: list[tuple[str, str]]) -> None:
        self.region.choices = [SelectChoice("", _l("All regions"))] + regions
        self.organisation.choices = [SelectChoice("", _l("All organisations"))] + organisations

    def filters(self) -> dict:
        if not self.validate():
            return {}
        return {"region": self.region.data or None,
                "organisation": int(self.organisation.data) if (self.organisation.data or "").isdigit() else None,
                "rule": self.rule.data or None, "q": self.q.data or None, "sort": self.sort.data or "applied",
                "descending": self.dir.data == "desc"}


class CheckInSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name"), validators=[Optional(), Length(max=200)])


class AddParticipantForm(FlaskForm):
    """The organiser adds a person by email; a new address also needs the full name (they are invited)."""

    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)],
                            description=_l("Only for a new account: the person gets a mail to set a password."))
    role = SelectField(_l("Role in the team"), choices=[], validate_choice=False, validators=[Optional()])
    override = BooleanField(_l("Over capacity: confirm even if no seat is free"))


class ImportForm(FlaskForm):
    """A pasted table or an uploaded CSV/XLSX file; `save` is set by the preview's confirmation button."""

    table = TextAreaField(_l("Paste a table"), validators=[Optional(), Length(max=1024 * 1024)],
                          description=_l("The first row names the columns: email, full_name, organisation, region "
                                         "(a code such as RU-MOW), role. Comma, semicolon or tab between values."),
                          render_kw={"rows": 8, "spellcheck": "false"})
    file = FileField(_l("Or upload a file (.csv or .xlsx)"), render_kw={"accept": ".csv,.txt,.xlsx"})
    save = HiddenField()


class ChangeStatusForm(FlaskForm):
    """One participant's new status; a rejection needs a reason (mailed), a full event the override."""

    status = SelectField(_l("New status"), validators=[DataRequired()], validate_choice=False)
    reason = TextAreaField(_l("Reason (mailed when rejecting)"), validators=[Optional(), Length(max=2000)],
                           render_kw={"rows": 1})
    override = BooleanField(_l("Over capacity"))

    def fill_choices(self, statuses) -> "ChangeStatusForm":
        self.status.choices = [("", _l("Choose…"))] + [(s.value, s.label) for s in statuses]
        return self


class ChangeRoleForm(FlaskForm):
    role = SelectField(_l("Role in the team"), validators=[DataRequired()], validate_choice=False)


class BulkDecisionForm(FlaskForm):
    """Approve or reject the ticked applications with one reason (the buttons carry `action`)."""

    registration_ids = SelectMultipleField(_l("Applications"), coerce=bounds.id_from, validate_choice=False)
    action = HiddenField()
    reason = TextAreaField(_l("Reason for the rejected (mailed to each of them)"),
                           validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class MarkedRequired:
    """Marks a field as required for the template (the star, `aria-required`); the service decides."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        """Shape only: the registration service checks required answers and reports them beside the field."""


def _question_field(question: Question):
    marks = [MarkedRequired()] if question.required else []
    description = question.help_text
    if question.kind == QuestionKind.TEXT:
        return TextAreaField(question.label, validators=marks, description=description, render_kw={"rows": 2})
    if question.kind == QuestionKind.CHOICE:
        return SelectField(question.label, validators=marks, description=description, validate_choice=False,
                           choices=[("", _l("Choose…"))] + [(option, option) for option in question.options])
    if question.kind == QuestionKind.MULTIPLE:
        return SelectMultipleField(question.label, validators=marks, description=description, validate_choice=False,
                                   choices=[(option, option) for option in question.options],
                                   option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    if question.kind == QuestionKind.YES_NO:
        return SelectField(question.label, validators=marks, description=description, validate_choice=False,
                           choices=[("", _l("Choose…")), ("yes", _l("Yes")), ("no", _l("No"))])
    if question.kind == QuestionKind.NUMBER:
        return StringField(question.label, validators=marks, description=description,
                           render_kw={"inputmode": "decimal"})
    return BooleanField(question.label, validators=marks, description=description)


def with_questions(base: type[FlaskForm], questions: list[Question]) -> type[FlaskForm]:
    """`base` plus one field per question, named "q<id>" (what the registration service reads)."""
    fields = {f"q{question.id}": _question_field(question) for question in questions}
    names = list(fields)

    class QuestionsForm(base):
        def question_fields(self):
            return [self[name] for name in names]

        def answers(self) -> dict:
            return {name: self[name].data for name in names}

    for name, unbound in fields.items():
        setattr(QuestionsForm, name, unbound)
    return QuestionsForm


class AnswersForm(FlaskForm):
    """The registrant's answers page: csrf_token plus the event's question fields."""


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=[(kind.value, kind.label) for kind in QuestionKind])
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    help_text = TextAreaField(_l("Help text (for a consent question: the consent text)"),
                              validators=[Optional(), Length(max=10000)], render_kw={"rows": 3})
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(_l("Options, one per line (one or multiple choice)"),
                            validators=[Optional(), Length(max=8000)], render_kw={"rows": 3})
    min_value = StringField(_l("Smallest number allowed"), validators=[Optional(), Length(max=30)])
    max_value = StringField(_l("Largest number allowed"), validators=[Optional(), Length(max=30)])
    submit = SubmitField(_l("Save the question"))


class MoveForm(FlaskForm):
    direction = SelectField(choices=[("up", _l("Up")), ("down", _l("Down"))])
