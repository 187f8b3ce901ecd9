"""Forms check shape only; the certificate services decide (STYLE rule 11)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.certificates.models import CertificateKind
from app.core import bounds


def kind_choices():
    return [(kind.value, kind.label) for kind in CertificateKind]


class IssueForm(FlaskForm):
    """POST …/certificates/jobs: the chosen people (user_ids) and how their certificates look."""

    kind = SelectField(_l("Certificate"), choices=kind_choices)
    layout = SelectField(_l("Layout"), choices=[], validate_choice=False)
    user_ids = SelectMultipleField(_l("People"), coerce=bounds.id_from, choices=[], validate_choice=False)
    signatory_name = StringField(_l("Signed by"), validators=[Optional(), Length(max=200)])
    signatory_role = StringField(_l("Signatory's role"), validators=[Optional(), Length(max=200)])


class OverrideForm(FlaskForm):
    """POST …/certificates/issue: one person, with a recorded reason when the rules say no."""

    kind = HiddenField()
    layout = HiddenField()
    user_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=bounds.ID_MAX)])
    reason = StringField(_l("Reason for issuing despite the rules"), validators=[Optional(), Length(max=1000)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason (sent to the holder)"), validators=[DataRequired(), Length(max=2000)])


class ReissueForm(FlaskForm):
    holder_name = StringField(_l("Name as it should be printed"), validators=[DataRequired(), Length(max=200)])
    reason = StringField(_l("What was corrected"), validators=[Optional(), Length(max=1000)])


class UploadForm(FlaskForm):
    pdf = FileField(_l("Certificate PDF"), validators=[FileRequired()])


class LookupForm(FlaskForm):
    class Meta:
        csrf = False

    serial = StringField(_l("Serial number"), validators=[DataRequired(), Length(max=40)])
    c = StringField(_l("Check code"), validators=[Optional(), Length(max=20)])


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""
