"""Account forms: shape only; rules live in services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class RegisterForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=300)],
        description=_l("Start typing to pick an existing organisation, or enter a new one."),
    )
    region = SelectField(_l("Region"), validators=[DataRequired()], validate_choice=False)
    submit = SubmitField(_l("Sign up"))
