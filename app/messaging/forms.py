"""Forms check shape only; the messaging services decide (STYLE rule 11)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.messaging.models import Delivery, OrganiserTopic


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ATTENDANCE_CHOICES = [("", _l("Attended or not")), ("yes", _l("Attended this session")),
                      ("no", _l("Did not attend this session"))]


class MessageForm(FlaskForm):
    """The audience (filters) and the text; posted to preview, then to send."""

    statuses = MultiCheckboxField(_l("Registration status"), choices=[], validate_choice=False,
                                  default=["confirmed"],
                                  description=_l("None ticked: people in any of these statuses."))
    region = SelectField(_l("Region"), choices=[], validate_choice=False, validators=[Optional()])
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False, validators=[Optional()])
    role = SelectField(_l("Team role"), choices=[], validate_choice=False, validators=[Optional()])
    session = SelectField(_l("Session"), choices=[], validate_choice=False, validators=[Optional()])
    attended = SelectField(_l("Attendance at that session"), choices=[], validators=[Optional()])
    subject = StringField(_l("Subject"), validators=[Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[Length(max=20000)])

    def fill_choices(self, statuses, regions, organisations, roles, sessions) -> None:
        self.statuses.choices = statuses
        self.region.choices = [("", _l("All regions"))] + regions
        self.organisation.choices = [("", _l("All organisations"))] + organisations
        self.role.choices = [("", _l("All roles"))] + roles
        self.session.choices = [("", _l("Any session"))] + sessions
        self.attended.choices = ATTENDANCE_CHOICES


class PreferencesForm(FlaskForm):
    """For each topic: at once, daily digest, or off."""

    application = RadioField(OrganiserTopic.APPLICATION.label)
    cancellation = RadioField(OrganiserTopic.CANCELLATION.label)
    event_full = RadioField(OrganiserTopic.EVENT_FULL.label)
    offer_expired = RadioField(OrganiserTopic.OFFER_EXPIRED.label)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for topic in OrganiserTopic:
            getattr(self, topic.value).choices = [(d.value, d.label) for d in Delivery]

    def topic_fields(self):
        return [(topic, getattr(self, topic.value)) for topic in OrganiserTopic]
