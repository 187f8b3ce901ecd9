"""Messaging pages: parse → load scoped to the event → permissions.require → one service call."""
from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts.regions import region_name
from app.core.i18n import local_datetime
from app.errors import DomainError, NotFound, apply_to_form
from app.events.models import Event
from app.extensions import db
from app.messaging import services
from app.messaging.forms import MessageForm, PreferencesForm
from app.permissions import require
from app.registrations import services as registrations
from app.registrations.queries import filter_options
from app.routing import submit

bp = Blueprint("messaging", __name__)


def _event(event_id: int) -> Event:
    require("manage.area")  # organisers' pages: anyone else is refused before the event is looked at
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound()
    return require("event.message", event)


def _message_form(event: Event, formdata=None) -> MessageForm:
    """The form with the choices this event offers: regions and organisations of its registrations,
    its team roles (trips) and sessions."""
    region_codes, organisations = filter_options(event)
    form = MessageForm(formdata=formdata) if formdata is not None else MessageForm()
    form.fill_choices(
        [(s.value, s.label) for s in services.STATUSES],
        [(code, region_name(code)) for code in region_codes],
        [(str(o.id), o.name) for o in organisations],
        [(r.role.value, r.role.label) for r in event.team_roles],
        [(str(s.id), s.title or local_datetime(s.starts_at, event.timezone, "short")) for s in event.sessions],
    )
    return form


def _int_or_none(value):
    return int(value) if value and str(value).isdigit() and len(str(value)) < 10 else None


def _audience(form: MessageForm) -> services.Audience:
    return services.Audience(
        statuses=list(form.statuses.data or []), region=form.region.data or None,
        organisation_id=_int_or_none(form.organisation.data), role=form.role.data or None,
        session_id=_int_or_none(form.session.data), attended=form.attended.data or None)


def _render(event: Event, form: MessageForm, preview=None, status: int = 200):
    return render_template("messaging/messages.html", event=event, form=form, preview=preview,
                           messages=services.messages_of(event), placeholders=services.PLACEHOLDERS,
                           delivery_label=services.delivery_label), status


@bp.get("/manage/events/<int:event_id>/messages")
@login_required
def messages(event_id: int):
    event = _event(event_id)
    return _render(event, _message_form(event))


@bp.post("/manage/events/<int:event_id>/messages/preview")
@login_required
def preview(event_id: int):
    """Count and one rendered mail; writes nothing (the Send button posts the same form to `send`)."""
    event = _event(event_id)
    form = _message_form(event)
    if not form.validate_on_submit():
        return _render(event, form, status=422)
    try:
        result = services.preview(event, _audience(form), form.subject.data, form.body.data)
    except DomainError as error:
        apply_to_form(form, error)
        return _render(event, form, status=422)
    return _render(event, form, preview=result)


@bp.post("/manage/events/<int:event_id>/messages")
@login_required
def send(event_id: int):
    event = _event(event_id)
    form = _message_form(event)
    return submit(form, lambda: services.send(event, current_user._get_current_object(), _audience(form),
                                              form.subject.data, form.body.data),
                  done=lambda message: ngettext("The message is being sent to %(num)d person.",
                                                "The message is being sent to %(num)d people.",
                                                message.recipient_count),
                  to=lambda message: url_for(".message_detail", event_id=event.id, message_id=message.id)) \
        or _render(event, form, status=422)


@bp.get("/manage/events/<int:event_id>/messages/<int:message_id>")
@login_required
def message_detail(event_id: int, message_id: int):
    event = _event(event_id)
    message = services.message_in_event(event, message_id)
    return render_template("messaging/message.html", event=event, message=message,
                           audience=services.describe_audience(event, message.audience),
                           delivery_state=services.delivery_state, delivery_label=services.delivery_label)


@bp.route("/manage/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    require("manage.area")
    user = current_user._get_current_object()
    form = PreferencesForm()
    saved = submit(form, lambda: services.save_preferences(user, {topic.value: field.data
                                                                  for topic, field in form.topic_fields()}),
                   done=_("Your notification settings are saved."), to=url_for(".preferences"))
    if saved:
        return saved
    status = 422 if form.is_submitted() else 200
    if not form.is_submitted():
        for topic, delivery in services.preferences_of(user).items():
            getattr(form, topic.value).data = delivery.value
    return render_template("messaging/preferences.html", form=form,
                           muted=registrations.muted_registrations(user)), status
