"""Account forms: shape only; rules live in services."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import OrganisationKind, Role
from app.accounts.services import MIN_PASSWORD_LENGTH
from app.core.i18n import language_choices


def organisation_kind_choices():
    return [SelectChoice(kind.value, kind.label) for kind in OrganisationKind]


def role_choices():
    return [SelectChoice(role.value, role.label) for role in Role]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class _OrganisationFields:
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=300)],
        description=_l("Pick your organisation from the list as you type, or enter the full name of a new one."),
    )
    organisation_kind = SelectField(
        _l("Kind of a new organisation"),
        choices=organisation_kind_choices,
        default="patient_ngo",
        description=_l("Only used when you propose an organisation that is not in the list yet."),
    )
    region = SelectField(_l("Region"), validators=[DataRequired()], validate_choice=False)


class RegisterForm(_OrganisationFields, FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
                             description=lazy_ngettext("At least %(num)d character.", "At least %(num)d characters.",
                                                      MIN_PASSWORD_LENGTH))
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    # Checked by the service (consent.check_agreed): the message sits beside the box.
    consent = BooleanField(_l("I agree to the processing of my personal data on the terms above"))
    submit = SubmitField(_l("Create my account"))


class ProfileForm(_OrganisationFields, FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    print_name = StringField(
        _l("Name as printed on certificates"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to print your full name."),
    )
    locale = SelectField(_l("Language"), choices=[SelectChoice(code, name) for code, name in language_choices()])
    submit = SubmitField(_l("Save profile"))


class RolesForm(FlaskForm):
    roles = SelectMultipleField(_l("Roles"), choices=role_choices, option_widget=CheckboxInput(),
                                widget=ListWidget(prefix_label=False))
    submit = SubmitField(_l("Save roles"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
                             description=lazy_ngettext("At least %(num)d character.", "At least %(num)d characters.",
                                                      MIN_PASSWORD_LENGTH))
    submit = SubmitField(_l("Set the new password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
                             description=lazy_ngettext("At least %(num)d character. Your other sessions will end.",
                                                      "At least %(num)d characters. Your other sessions will end.",
                                                      MIN_PASSWORD_LENGTH))
    submit = SubmitField(_l("Change password"))


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("For example, the website that will use it."))
    submit = SubmitField(_l("Create a token"))


class AccountActiveForm(FlaskForm):
    active = SelectField(_l("Account"), choices=[SelectChoice("1", _l("Active")), SelectChoice("0", _l("Disabled"))])
    submit = SubmitField(_l("Save"))


class ConfirmConsentForm(FlaskForm):
    """The person agrees to the current consent text themselves: only the CSRF token."""

    submit = SubmitField(_l("I agree"))


class ConfirmPasswordForm(FlaskForm):
    """Deleting the account or withdrawing consent: the password confirms it is really the owner."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])


class ConfirmEmailForm(FlaskForm):
    """The button behind the mailed link (a GET never confirms: mail scanners open links too)."""

    submit = SubmitField(_l("Confirm my address"))


class ResendConfirmationForm(FlaskForm):
    """Send the confirmation link again: only the CSRF token and where to go back to."""

    next = HiddenField()
    submit = SubmitField(_l("Send the link again"))
