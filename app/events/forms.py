"""Event forms, one per kind: shape only. The services decide what is valid (STYLE rule 11).

Each form turns itself into the API-shaped dict the services take (`to_data`) and fills
itself from an event (`fill_from`). Session times are wall-clock times in the event's
timezone; the service refuses those the timezone skips or repeats.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app import clock
from app.accounts.regions import region_choices, region_select_choices
from app.core import bounds
from app.core.i18n import language_choices, timezone_option
from app.events.models import EventKind, GroupMembership, TeamRole, TripService

LANGUAGES = tuple(language_choices())

# Russia's eleven zones (west to east) and those of our partners in BG, PL and LT.
TIMEZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
    "Europe/Sofia", "Europe/Warsaw", "Europe/Vilnius", "UTC",
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def timezone_choices() -> list[tuple[str, str]]:
    """(IANA name, "Warszawa — Europe/Warsaw (UTC+01:00)"): the city in the reader's language first."""
    now = clock.now()
    return [(name, timezone_option(name, now)) for name in TIMEZONES]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SessionForm(Form):
    """One day or part of the event; all four boxes empty means "no row"."""

    id = HiddenField()
    day = DateField(_l("Date"), validators=[Optional()])
    start = TimeField(_l("Starts at"), validators=[Optional()])
    end = TimeField(_l("Ends at"), validators=[Optional()])
    title = StringField(_l("Title of this session"), validators=[Optional(), Length(max=300)])

    def is_empty(self) -> bool:
        return not (self.day.data or self.start.data or self.end.data or (self.title.data or "").strip())

    def to_data(self) -> dict:
        def moment(clock_time):
            if self.day.data and clock_time:
                return datetime.combine(self.day.data, clock_time)
            return None

        return {"id": self.id.data or None, "start": moment(self.start.data), "end": moment(self.end.data),
                "title": self.title.data or ""}


class TranslationForm(Form):
    """The title and description in one more language; both empty means "no translation"."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 3})


class EventForm(FlaskForm):
    """Fields every kind has."""

    kind: EventKind

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 5})
    language = SelectField(_l("Language of the event"), choices=LANGUAGES, default="ru")
    # The title and description in the other languages (one box per language, empty = none).
    translation_ru = FormField(TranslationForm, label="Русский")
    translation_en = FormField(TranslationForm, label="English")
    translation_bg = FormField(TranslationForm, label="Български")
    translation_pl = FormField(TranslationForm, label="Polski")
    translation_lt = FormField(TranslationForm, label="Lietuvių")
    timezone = SelectField(_l("Timezone"), default="Europe/Moscow",
                           description=_l("Session times below are in this timezone."))
    programme_id = SelectField(_l("Programme"), validate_choice=False)
    region_code = SelectField(_l("Region"), validate_choice=False)
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), bounds.form_max("events.capacity")],
                            description=_l("Leave empty for no limit."))
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format=DATETIME_FORMAT,
                                               validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), format=DATETIME_FORMAT,
                                                validators=[Optional()],
                                                description=_l("No later than the start of the first session."))
    requires_approval = BooleanField(_l("Registrations need the organiser's approval"))
    max_per_region = IntegerField(_l("At most this many people per region"),
                                  validators=[Optional(), bounds.form_max("events.max_per_region")])
    max_per_organisation = IntegerField(_l("At most this many people per organisation"),
                                        validators=[Optional(), bounds.form_max("events.max_per_organisation")])
    offer_hours = IntegerField(_l("Hours to accept a freed seat"), default=48,
                               validators=[InputRequired(_l("Give the hours: at least 1.")),
                                           NumberRange(min=1, message=_l("At least 1 hour.")),
                                           bounds.form_max("events.offer_hours")],
                               description=_l("How long a person from the waitlist has to take a seat that frees up."))
    sessions = FieldList(FormField(SessionForm), min_entries=1, max_entries=60, label=_l("Sessions"))
    # False for an event whose meetings come from a series rule: they are changed on the series pages.
    edits_sessions = True
    # Not event data: the organiser's answers to the two questions a change may raise.
    keep_confirmed = BooleanField(_l("Keep everyone confirmed and close registration"))
    notify_confirmed = HiddenField()

    # Form attribute → key of the service's data dict, for fields named differently.
    DATA_KEYS: dict[str, str] = {}
    COMMON = ("title", "description", "language", "timezone", "programme_id", "region_code", "capacity",
              "registration_opens_at", "registration_closes_at", "requires_approval", "max_per_region",
              "max_per_organisation", "offer_hours")
    EXTRA: tuple[str, ...] = ()

    def setup(self, programmes) -> "EventForm":
        """Choices that depend on the request: programmes the user manages, regions, zones."""
        for code, name in LANGUAGES:
            box = getattr(self, f"translation_{code}")
            box["title"].label.text = _l("Title (%(language)s)", language=name)
            box["description"].label.text = _l("Description (%(language)s)", language=name)
        self.programme_id.choices = [("", _l("— no programme —"))] + [(str(p.id), p.title) for p in programmes]
        self.region_code.choices = region_select_choices()
        self.timezone.choices = timezone_choices()
        return self

    def session_rows(self) -> list[SessionForm]:
        return [entry.form for entry in self.sessions.entries]

    def translation_boxes(self) -> list[tuple[str, str, FormField]]:
        """(code, name, box) of every language but the event's own, for the template."""
        own = self.language.data or "ru"
        return [(code, name, getattr(self, f"translation_{code}")) for code, name in LANGUAGES if code != own]

    def to_data(self) -> dict:
        data: dict = {"kind": self.kind.value}
        for name in self.COMMON + self.EXTRA:
            value = getattr(self, name).data
            if isinstance(value, str):
                value = value.strip()
            if name in ("programme_id", "region_code") and value == "":
                value = None
            data[self.DATA_KEYS.get(name, name)] = value
        data["translations"] = {code: {"title": (box["title"].data or "").strip(),
                                       "description": (box["description"].data or "").strip()}
                                for code, _name, box in self.translation_boxes()}
        if self.edits_sessions:
            data["sessions"] = [row.to_data() for row in self.session_rows() if not row.is_empty()]
        return data

    def fill_from(self, event) -> None:
        """Show an event's current values (GET on the edit page)."""
        tz = ZoneInfo(event.timezone)
        for name in self.COMMON + self.EXTRA:
            value = getattr(event, self.DATA_KEYS.get(name, name), None)
            if isinstance(value, datetime):
                value = value.astimezone(tz).replace(tzinfo=None)
            if name in ("programme_id",):
                value = str(value) if value is not None else ""
            getattr(self, name).data = value
        for code, given in (event.translations or {}).items():
            if code in dict(LANGUAGES):
                box = getattr(self, f"translation_{code}")
                box["title"].data, box["description"].data = given.get("title", ""), given.get("description", "")
        if not self.edits_sessions:
            return
        while len(self.sessions.entries):
            self.sessions.pop_entry()
        for session in event.sessions:
            start = session.starts_at.astimezone(tz)
            end = session.ends_at.astimezone(tz)
            self.sessions.append_entry({"id": str(session.id), "day": start.date(), "start": start.time(),
                                        "end": end.time(), "title": session.title})

    def add_session_row(self) -> None:
        """One more row, proposed as the day after the last one at the same hours."""
        rows = self.session_rows()
        last = rows[-1] if rows else None
        if last is not None and last.day.data:
            self.sessions.append_entry({"day": last.day.data + timedelta(days=1), "start": last.start.data,
                                        "end": last.end.data})
        else:
            self.sessions.append_entry()

    def remove_session_row(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.sessions.entries) and len(self.sessions.entries) > 1:
            del self.sessions.entries[index]

    def place_errors(self, error) -> None:
        """Put a ValidationFailed's messages beside the matching fields, the rest on top of the form."""
        for key, messages in error.fields.items():
            target = self.field_for(key)
            texts = [str(m) for m in messages]
            if target is None:
                self.form_errors.extend(texts)
            else:
                target.errors = [e for e in target.errors if isinstance(e, str)] + texts
        if not error.fields:
            self.form_errors.append(str(error.message))

    def field_for(self, key: str):
        """The form field that shows the service's message for `key` (None: show it on the form)."""
        reverse = {v: k for k, v in self.DATA_KEYS.items()}
        name = reverse.get(key, key)
        if name == "sessions":
            return self.sessions
        if name.startswith("translations."):
            code, _dot, part = name.removeprefix("translations.").partition(".")
            box = self._fields.get(f"translation_{code}")
            if box is None:
                return None
            return box[part] if part == "description" else box["title"]
        return self._fields.get(name) if name in self.COMMON + self.EXTRA else None


class SeminarForm(EventForm):
    kind = EventKind.SEMINAR
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)],
                        description=_l("E.g. the hotel or centre where the seminar is held."))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    is_online = BooleanField(_l("Held online"))
    online_url = URLField(_l("Join link"), validators=[Optional(), Length(max=500)],
                          description=_l("Only confirmed participants see it."))
    attendance_threshold = IntegerField(_l("Attendance needed for a certificate, %"), default=75,
                                        validators=[Optional(), bounds.form_max("events.attendance_threshold")])
    EXTRA = ("venue", "address", "is_online", "online_url", "attendance_threshold")


class WebinarForm(EventForm):
    kind = EventKind.WEBINAR
    online_url = URLField(_l("Join link"), validators=[Optional(), Length(max=500)],
                          description=_l("Only confirmed participants see it; never shown on public pages."))
    recording_url = URLField(_l("Recording link"), validators=[Optional(), Length(max=500)],
                             description=_l("Add it after the webinar."))
    attendance_threshold = IntegerField(_l("Attendance needed for a certificate, %"), default=75,
                                        validators=[Optional(), bounds.form_max("events.attendance_threshold")])
    EXTRA = ("online_url", "recording_url", "attendance_threshold")


class RoundTableForm(EventForm):
    kind = EventKind.ROUND_TABLE
    is_online = BooleanField(_l("Held online"))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    online_url = URLField(_l("Join link"), validators=[Optional(), Length(max=500)],
                          description=_l("Only confirmed participants see it."))
    speakers = TextAreaField(_l("Speakers"), validators=[Optional(), Length(max=20000)],
                             description=_l("One per line: name, position."), render_kw={"rows": 4})
    outcome_summary = TextAreaField(_l("Outcome summary"), validators=[Optional(), Length(max=20000)],
                                    description=_l("Add it after the round table."), render_kw={"rows": 4})
    recording_url = URLField(_l("Recording link"), validators=[Optional(), Length(max=500)])
    EXTRA = ("is_online", "venue", "address", "online_url", "speakers", "outcome_summary", "recording_url")


class TripForm(EventForm):
    kind = EventKind.OUTREACH_TRIP
    settlement = StringField(_l("Settlement"), validators=[Optional(), Length(max=200)],
                             description=_l("The village or town the team goes to."))
    district = StringField(_l("District"), validators=[Optional(), Length(max=200)])
    departure_point = StringField(_l("Departure point"), validators=[Optional(), Length(max=300)])
    departure_at = DateTimeLocalField(_l("Departure time"), format=DATETIME_FORMAT, validators=[Optional()])
    seats = IntegerField(_l("Seats in transport"), validators=[Optional(), bounds.form_max("trip_details.seats")])
    services = MultiCheckboxField(_l("Services offered"),
                                  choices=[(s.value, s.label) for s in TripService])
    media_invited = BooleanField(_l("Media invited"))
    venue = StringField(_l("Meeting place in the settlement"), validators=[Optional(), Length(max=300)],
                        description=_l("E.g. the village health post or school."))
    latitude = DecimalField(_l("Latitude"), places=None, validators=[Optional()])
    longitude = DecimalField(_l("Longitude"), places=None, validators=[Optional()])
    EXTRA = ("venue", "latitude", "longitude")
    TRIP = ("settlement", "district", "departure_point", "departure_at", "seats", "services", "media_invited")

    def role_fields(self):
        return [(role, getattr(self, f"role_{role.value}")) for role in TeamRole]

    def to_data(self) -> dict:
        data = super().to_data()
        for name in ("latitude", "longitude"):
            data[name] = float(data[name]) if data[name] is not None else None
        data["trip"] = {name: getattr(self, name).data for name in self.TRIP}
        for name in ("settlement", "district", "departure_point"):
            data["trip"][name] = (data["trip"][name] or "").strip()
        data["team_roles"] = [{"role": role.value, "needed": f.data} for role, f in self.role_fields() if f.data]
        return data

    def fill_from(self, event) -> None:
        super().fill_from(event)
        if event.trip is not None:
            tz = ZoneInfo(event.timezone)
            for name in self.TRIP:
                value = getattr(event.trip, name)
                if isinstance(value, datetime):
                    value = value.astimezone(tz).replace(tzinfo=None)
                getattr(self, name).data = value
        needed = {r.role: r.needed for r in event.team_roles}
        for role, f in self.role_fields():
            f.data = needed.get(role)

    def field_for(self, key: str):
        if key.startswith("trip."):
            return self._fields.get(key.removeprefix("trip."))
        if key == "team_roles":
            return self.role_doctor
        return super().field_for(key)


for _role in TeamRole:
    setattr(TripForm, f"role_{_role.value}", IntegerField(_role.label, validators=[Optional(), bounds.form_max("trip_team_roles.needed")]))


class GroupForm(EventForm):
    """A self-help group: members join once for the whole series of meetings."""

    kind = EventKind.SELF_HELP_GROUP
    community = StringField(_l("Community or municipality"), validators=[Optional(), Length(max=200)],
                            description=_l("E.g. the town or neighbourhood the group serves."))
    facilitator_email = StringField(_l("Facilitator's e-mail"), validators=[Optional(), Length(max=320)],
                                    description=_l("The health mediator who leads the meetings: a user of Praktika."))
    membership = SelectField(_l("Membership"), choices=[(m.value, m.label) for m in GroupMembership],
                             default=GroupMembership.OPEN.value)
    is_online = BooleanField(_l("Held online"))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    online_url = URLField(_l("Join link"), validators=[Optional(), Length(max=500)],
                          description=_l("Only confirmed participants see it."))
    EXTRA = ("is_online", "venue", "address", "online_url")
    GROUP = ("community", "facilitator_email", "membership")

    def to_data(self) -> dict:
        data = super().to_data()
        data["group"] = {name: (getattr(self, name).data or "").strip() for name in self.GROUP}
        return data

    def fill_from(self, event) -> None:
        super().fill_from(event)
        if event.group is not None:
            self.community.data = event.group.community
            self.facilitator_email.data = event.group.facilitator.email if event.group.facilitator else ""
            self.membership.data = event.group.membership.value

    def field_for(self, key: str):
        if key.startswith("group."):
            return self._fields.get(key.removeprefix("group."))
        return super().field_for(key)


FORMS: dict[EventKind, type[EventForm]] = {
    EventKind.SEMINAR: SeminarForm,
    EventKind.WEBINAR: WebinarForm,
    EventKind.ROUND_TABLE: RoundTableForm,
    EventKind.OUTREACH_TRIP: TripForm,
    EventKind.SELF_HELP_GROUP: GroupForm,
}

class CancelEventForm(FlaskForm):
    """Cancelling an event: the reason goes into the mail to registrants and onto the event page."""

    reason = TextAreaField(_l("Reason shown to participants"), validators=[DataRequired(), Length(max=2000)],
                           render_kw={"rows": 3})


class DeleteDraftForm(FlaskForm):
    """Deleting a draft: only the CSRF token (the page itself is the confirmation)."""


class ResultsForm(FlaskForm):
    """People served per offered service (counts only) and notes; fields added per trip."""

    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 4},
                          description=_l("No names or other personal data."))

    def service_fields(self):
        return [(name, self._fields[name]) for name in self._fields if name in {s.value for s in TripService}]

    def counts(self) -> dict[str, int]:
        return {name: f.data for name, f in self.service_fields() if f.data is not None}


def results_form_for(event, formdata=None) -> ResultsForm:
    """A results form with one count per service the trip offered, pre-filled with recorded counts."""

    class TripResultsForm(ResultsForm):
        pass

    recorded = {r.service.value: r.people_served for r in event.results}
    for service in (event.trip.services if event.trip else []):
        setattr(TripResultsForm, service,
                IntegerField(TripService(service).label, validators=[Optional(), bounds.form_max("trip_results.people_served")],
                             default=recorded.get(service)))
    form = TripResultsForm(formdata=formdata)
    if formdata is None and event.trip is not None:
        form.notes.data = event.trip.results_notes
    return form


class FilterForm(Form):
    """The listing's GET filters; names are the contract's (`kind`, `region`, `programme`, `q`, `from`, `to`)."""

    q = SearchField(_l("Words from the title or description"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    programme = SelectField(_l("Programme"), validate_choice=False)
    to = DateField(_l("Until"), validators=[Optional()])
    tab = HiddenField()

    def setup(self, programmes) -> "FilterForm":
        self.kind.choices = [("", _l("All kinds"))] + [(k.value, k.label) for k in EventKind]
        self.region.choices = [("", _l("All regions"))] + region_choices(include_blank=False)
        self.programme.choices = [("", _l("All programmes"))] + [(str(p.id), p.title) for p in programmes]
        return self


# `from` is a Python keyword, so the field is attached by name (WTForms' FormMeta accepts it).
setattr(FilterForm, "from", DateField(_l("From"), validators=[Optional()]))
