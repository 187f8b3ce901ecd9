"""The forms of a series of meetings: the rule, one meeting's change, a meeting's outcome. Shape only:
the services decide what is valid (STYLE rule 11)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Length, Optional

from app.core import bounds
from app.events.forms import MultiCheckboxField
from app.events.models import SeriesFrequency

WEEKDAYS = (
    (0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")), (4, _l("Friday")),
    (5, _l("Saturday")), (6, _l("Sunday")),
)
MONTH_POSITIONS = (("1", _l("first")), ("2", _l("second")), ("3", _l("third")), ("4", _l("fourth")),
                   ("-1", _l("last")))


class SeriesForm(FlaskForm):
    """A recurrence rule: shape only; app.events.series checks it and gives the dates."""

    frequency = SelectField(_l("Repeats"), choices=[(f.value, f.label) for f in SeriesFrequency],
                            default=SeriesFrequency.WEEKLY.value)
    every = IntegerField(_l("Every how many weeks (or months)"), default=1,
                         validators=[Optional(), bounds.form_max("event_series.every")],
                         description=_l("1 = every week; 2 = fortnightly."))
    weekdays = MultiCheckboxField(_l("On"), choices=[(str(n), label) for n, label in WEEKDAYS])
    month_position = SelectField(_l("Which weekday of the month"), choices=MONTH_POSITIONS, default="1",
                                 description=_l("Monthly rules only: e.g. the last Thursday."))
    starts_on = DateField(_l("First date"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()], description=_l("Or give a number of meetings."))
    count = IntegerField(_l("Number of meetings"), validators=[Optional(), bounds.form_max("event_series.count")],
                         description=_l("Meetings held: skipped dates do not count, the series runs on instead."))
    start_time = TimeField(_l("Starts at"), validators=[Optional()],
                           description=_l("In the event's timezone, the same local time all year."))
    duration_minutes = IntegerField(_l("Length, minutes"), default=90,
                                    validators=[Optional(), bounds.form_max("event_series.duration_minutes")])
    excluded_dates = TextAreaField(_l("Skip these dates"), validators=[Optional(), Length(max=5000)],
                                   render_kw={"rows": 2}, description=_l("YYYY-MM-DD, separated by commas."))
    reset_moved = BooleanField(_l("Also reset meetings moved by hand"),
                               description=_l("Otherwise a meeting moved on its own keeps its time."))

    def to_data(self) -> dict:
        return {"frequency": self.frequency.data, "every": self.every.data, "weekdays": self.weekdays.data or [],
                "month_position": self.month_position.data, "starts_on": self.starts_on.data,
                "until": self.until.data, "count": self.count.data, "start_time": self.start_time.data,
                "duration_minutes": self.duration_minutes.data, "excluded_dates": self.excluded_dates.data or "",
                "reset_moved": self.reset_moved.data}

    def fill_from_first_session(self, event) -> None:
        """No rule yet: the first meeting is the event's first session (date, weekday, time, length)."""
        if not event.sessions:
            return
        first = min(event.sessions, key=lambda s: s.starts_at)
        start, end = first.starts_at.astimezone(event.tz), first.ends_at.astimezone(event.tz)
        self.starts_on.data = start.date()
        self.weekdays.data = [str(start.weekday())]
        self.start_time.data = start.time().replace(second=0, microsecond=0, tzinfo=None)
        minutes = int((end - start).total_seconds() // 60)
        if minutes in bounds.of("event_series.duration_minutes"):
            self.duration_minutes.data = minutes

    def fill_from(self, rule) -> None:
        self.frequency.data = rule.frequency.value
        self.every.data = rule.every
        self.weekdays.data = [str(d) for d in rule.weekdays]
        self.month_position.data = str(rule.month_position or 1)
        self.starts_on.data = rule.starts_on
        self.until.data = rule.until
        self.count.data = rule.count
        self.start_time.data = rule.start_time
        self.duration_minutes.data = rule.duration_minutes
        self.excluded_dates.data = ", ".join(d.isoformat() for d in rule.excluded_dates)


class MeetingForm(FlaskForm):
    """Move one meeting (or change the time of this and all following ones) and set its topic."""

    day = DateField(_l("Date"), validators=[Optional()])
    start = TimeField(_l("Starts at"), validators=[Optional()])
    end = TimeField(_l("Ends at"), validators=[Optional()])
    title = StringField(_l("Meeting topic"), validators=[Optional(), Length(max=300)])
    following = BooleanField(_l("Also change the time of all following meetings"))

    def to_data(self) -> dict:
        return {"day": self.day.data, "start": self.start.data, "end": self.end.data, "title": self.title.data,
                "following": self.following.data}

    def fill_from(self, session, tz) -> None:
        start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        self.day.data, self.start.data, self.end.data = start.date(), start.time(), end.time()
        self.title.data = session.title


class OutcomeForm(FlaskForm):
    """After a meeting: guests (a count) and a short outcome; members are checked in by name."""

    guests = IntegerField(_l("Guests (not members)"), default=0,
                          validators=[Optional(), bounds.form_max("event_sessions.guests")])
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 4},
                            description=_l("What was discussed and agreed. No health data of named people."))

    def to_data(self) -> dict:
        return {"guests": self.guests.data, "outcome": self.outcome.data}
