"""The range of every integer column, in one table: the services enforce it whatever the door (form,
API, CLI), the forms give it to NumberRange and the API schemas to OpenAPI's minimum/maximum.

The high end is the largest sensible value, not what the column can hold: an `offer_hours` of a
billion fits an INTEGER and then overflows every deadline computed from it. Columns people never
type (counters, positions, sequences) are bounded by the column type only (INTERNAL), and ids by
ID_MAX, the largest INTEGER primary key; tests/core/test_bounds.py checks that every integer column
of the schema is in one of the two.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from marshmallow import validate
from wtforms.validators import NumberRange

ID_MAX = 2**31 - 1  # PostgreSQL INTEGER: no row has a larger id, so a larger one is "not found"
BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class Bound:
    low: int
    high: int

    def __contains__(self, number) -> bool:
        return isinstance(number, int) and not isinstance(number, bool) and self.low <= number <= self.high


MAX_PEOPLE = 100_000  # more than any seminar, trip or region sends
MAX_MEETINGS = 200
MAX_EVERY = 52
MAX_DURATION_MINUTES = 24 * 60
PLAN_MAX = 10**9
TOO_BIG = _l("Enter a number no greater than %(max)d.")  # indicators count people, consultations, events: a programme's plan stays far below

COLUMNS: dict[str, Bound] = {
    "events.capacity": Bound(1, MAX_PEOPLE),
    "events.max_per_region": Bound(1, MAX_PEOPLE),
    "events.max_per_organisation": Bound(1, MAX_PEOPLE),
    "events.offer_hours": Bound(1, 720),  # thirty days to accept a freed seat
    "events.attendance_threshold": Bound(0, 100),  # per cent
    "trip_details.seats": Bound(1, 1000),
    "trip_team_roles.needed": Bound(1, 1000),
    "trip_results.people_served": Bound(0, MAX_PEOPLE),
    "event_sessions.guests": Bound(0, MAX_PEOPLE),
    "event_series.every": Bound(1, MAX_EVERY),
    "event_series.count": Bound(1, MAX_MEETINGS),
    "event_series.month_position": Bound(-1, 4),  # 1st–4th weekday of the month, or -1 for the last
    "event_series.duration_minutes": Bound(1, MAX_DURATION_MINUTES),
    "programme_stages.number": Bound(1, 99),
    "indicators.plan": Bound(0, PLAN_MAX),
    "indicator_stage_plans.plan": Bound(0, PLAN_MAX),
    "indicator_manual_facts.value": Bound(0, PLAN_MAX),
    "quota_plans.target": Bound(1, 1000),
    "consultation_quotas.target": Bound(1, 1000),
    "quota_plans.behind_percent": Bound(1, 100),
    "consultations.duration_minutes": Bound(1, 600),
    "catch_up_plans.per_week": Bound(1, 100),
}

# Set by the services themselves, never typed by anyone: the column type is their bound.
INTERNAL = frozenset({
    "certificate_serial_counters.last", "outbox_messages.attempts", "users.session_version", "events.sequence",
    "indicators.position", "certificate_issuance_jobs.total", "certificate_issuance_jobs.done",
    "certificate_issuance_jobs.failed", "event_changes.sequence", "event_messages.recipient_count",
    "event_sessions.sequence", "plan_items.position", "registration_questions.position",
    "certificates.verification_count", "materials.position", "materials.size_bytes",
    "catch_up_plans.from_count", "message_recipients.outbox_message_id", "certificates.status_list_index",
    "certificate_status_index_counter.last", "programme_changes.programme_id",
})


def of(column: str) -> Bound:
    """The bound of `table.column`, e.g. of("events.offer_hours")."""
    return COLUMNS[column]


def whole(value):
    """`value` as it came (JSON) or typed (a form's text) → an int, or `value` unchanged for the bound
    to refuse: bools and fractions are not whole numbers here, and "1.5" is not one either."""
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 20:
        return int(value)
    return value


def id_from(value) -> int:
    """An id from a query string or a form, for werkzeug's `type=` and WTForms' `coerce=`: a
    ValueError (their default or "invalid choice") for anything no row can have as its id, so a
    number past the database's INTEGER never reaches a query."""
    number = int(str(value).strip()) if str(value).strip().lstrip("+-").isdecimal() else None
    if not is_id(number):
        raise ValueError(value)
    return number


def id_or_none(value) -> int | None:
    """An id from a form or query string, or None for an empty or impossible one."""
    try:
        return id_from(value)
    except ValueError:
        return None


def is_id(value) -> bool:
    """A whole number some row could have as its id."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_MAX


def form_max(column: str) -> NumberRange:
    """The column's largest value as a WTForms validator (and the input's `max` attribute); the low
    end and its wording stay with the service, which decides."""
    return NumberRange(max=of(column).high, message=TOO_BIG)


def api_range(column: str) -> validate.Range:
    """The column's bound as a marshmallow validator: OpenAPI's minimum and maximum come from it."""
    bound = of(column)
    return validate.Range(min=bound.low, max=bound.high)
