"""Registration questions of an event and the registrants' answers.

The organiser asks text, one-choice, multiple-choice, yes/no, number and consent questions, each
optional or required (a consent question is always required: it carries the organisation's own
consent text, and the answer's time is the moment of agreement). Answers are checked here, not in
forms: required, number bounds, a choice must be one of the options. A question that has answers
keeps its kind (the stored answers would no longer fit); a consent question that has answers cannot
be deleted (they are the consent records).
"""
import math

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import bindparam, func, select

from app import clock
from app.database import unit_of_work
from app.errors import Conflict, FieldErrors
from app.events.models import Event
from app.extensions import db
from app.registrations.models import Answer, Question, QuestionKind, Registration
from app.registrations.queries import in_event
from app.registrations.seats import check_open, lock_registration

K = QuestionKind
CHOICE_KINDS = (K.CHOICE, K.MULTIPLE)
MAX_OPTIONS = 30
MAX_OPTION_LENGTH = 200
MAX_TEXT_ANSWER = 2000

MESSAGES = {
    "required": _l("Answer this question."),
    "consent_required": _l("Tick the box to agree: the organiser needs your consent to register you."),
    "not_a_number": _l("Enter a number, for example 12 or 2.5."),
    "not_an_option": _l("Choose one of the options given."),
    "label_required": _l("Write the question."),
    "kind_unknown": _l("Choose a kind from the list."),
    "options_needed": _l("Give at least two options, one per line."),
    "options_repeated": _l("Each option must be different."),
    "bounds_order": _l("The smallest value must not be greater than the largest."),
    "consent_text_needed": _l("Write the consent text people agree to."),
    "kind_locked": _l("This question already has answers: its kind cannot change. Add a new question instead."),
    "consent_has_answers": _l("People have agreed to this consent text: it cannot be deleted."),
    "consent_text_locked": _l("People have agreed to this consent text: it cannot change. Add a new consent "
                              "question instead."),
    "answers_closed": _l("Registration has closed: answers can no longer be changed."),
    "not_registered": _l("You have no registration for this event to answer for."),
}


# Built once: every registration reads its event's questions before it takes the seat lock.
_EVENT_QUESTIONS = select(Question).where(Question.event_id == bindparam("event_id")) \
    .order_by(Question.position, Question.id)


def event_questions(event_id: int) -> list[Question]:
    return list(db.session.execute(_EVENT_QUESTIONS, {"event_id": event_id}).scalars())


def events_with_questions(event_ids) -> set[int]:
    """Which of these events ask questions (one query, for lists such as /me)."""
    ids = list(event_ids)
    if not ids:
        return set()
    return set(db.session.execute(select(Question.event_id).where(Question.event_id.in_(ids)).distinct()).scalars())


def question_in_event(event: Event, question_id: int) -> Question:
    """A question loaded through its event: an id of another event's question is a 404."""
    return in_event(Question, event, question_id)


def answer_counts(event_id: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(Answer.question_id, func.count(Answer.id)).join(Question, Question.id == Answer.question_id)
        .where(Question.event_id == event_id).group_by(Answer.question_id)
    ).all())


# --- the organiser's questions ---------------------------------------------------------------

def _parse_bound(value, field: str, errors: FieldErrors) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        errors.add(field, MESSAGES["not_a_number"])
        return None
    if not math.isfinite(number) or abs(number) > 1e12:
        errors.add(field, MESSAGES["not_a_number"])
        return None
    return number


def _checked(data: dict) -> dict:
    """The question's fields from a form's data (kind, label, help_text, required, options text, bounds)."""
    errors = FieldErrors()
    kind = errors.choice("kind", K, data.get("kind") or "", MESSAGES["kind_unknown"])
    label = " ".join((data.get("label") or "").split())
    if not label:
        errors.add("label", MESSAGES["label_required"])
    elif len(label) > 300:
        errors.add("label", lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", 300))
    help_text = (data.get("help_text") or "").strip()
    if len(help_text) > 10000:
        errors.add("help_text", lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", 10000))
    options = [" ".join(line.split()) for line in (data.get("options") or "").splitlines()]
    options = [option for option in options if option]
    if kind in CHOICE_KINDS:
        if len(options) < 2:
            errors.add("options", MESSAGES["options_needed"])
        elif len(options) > MAX_OPTIONS:
            errors.add("options", lazy_ngettext("At most %(num)d option.", "At most %(num)d options.", MAX_OPTIONS))
        elif len({o.casefold() for o in options}) < len(options):
            errors.add("options", MESSAGES["options_repeated"])
        elif any(len(o) > MAX_OPTION_LENGTH for o in options):
            errors.add("options", lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", MAX_OPTION_LENGTH))
    else:
        options = []
    min_value = max_value = None
    if kind == K.NUMBER:
        min_value = _parse_bound(data.get("min_value"), "min_value", errors)
        max_value = _parse_bound(data.get("max_value"), "max_value", errors)
        if min_value is not None and max_value is not None and min_value > max_value:
            errors.add("max_value", MESSAGES["bounds_order"])
    if kind == K.CONSENT and not help_text:
        errors.add("help_text", MESSAGES["consent_text_needed"])
    errors.raise_if_any()
    return {"kind": kind, "label": label, "help_text": help_text, "options": options,
            "required": True if kind == K.CONSENT else bool(data.get("required")),
            "min_value": min_value, "max_value": max_value}


def add_question(event: Event, data: dict) -> Question:
    """Append a question at the end of the event's form. One transaction."""
    fields = _checked(data)
    with unit_of_work():
        last = db.session.execute(select(func.max(Question.position)).where(Question.event_id == event.id)).scalar()
        question = Question(event_id=event.id, position=(last or 0) + 1, created_at=clock.now(), **fields)
        db.session.add(question)
    return question


def update_question(question: Question, data: dict) -> Question:
    """Change a question; its kind only while nobody has answered it, and a consent text only while
    nobody has agreed to it (what people agreed to must stay readable). One transaction."""
    fields = _checked(data)
    with unit_of_work():
        answered = answer_counts(question.event_id).get(question.id)
        if answered and fields["kind"] != question.kind:
            raise Conflict(MESSAGES["kind_locked"], field="kind")
        if answered and question.kind == K.CONSENT and fields["help_text"] != question.help_text:
            raise Conflict(MESSAGES["consent_text_locked"], field="help_text")
        for name, value in fields.items():
            setattr(question, name, value)
    return question


def delete_question(question: Question) -> str:
    """Delete a question and its answers; a consent question people agreed to stays. One transaction."""
    with unit_of_work():
        if question.kind == K.CONSENT and answer_counts(question.event_id).get(question.id):
            raise Conflict(MESSAGES["consent_has_answers"])
        label = question.label
        db.session.delete(question)
    return label


def move_question(question: Question, direction: str) -> None:
    """Swap the question with its neighbour above ("up") or below ("down"). One transaction."""
    with unit_of_work():
        ordered = event_questions(question.event_id)
        for number, item in enumerate(ordered, start=1):
            item.position = number
        index = next(i for i, item in enumerate(ordered) if item.id == question.id)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index].position, ordered[other].position = ordered[other].position, ordered[index].position


# --- answers -------------------------------------------------------------------------------

def number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _clean_one(question: Question, raw, errors: FieldErrors):
    """The stored value of one raw form value, or None when unanswered; problems go to `errors`."""
    name = f"q{question.id}"
    kind = question.kind
    if kind == K.CONSENT:
        if raw in (True, "y", "yes", "on", "1", "true"):
            return True
        errors.add(name, MESSAGES["consent_required"])
        return None
    if kind == K.MULTIPLE:
        values = [raw] if isinstance(raw, str) else list(raw or [])
        values = [v for v in values if v]
        if any(v not in question.options for v in values):
            errors.add(name, MESSAGES["not_an_option"])
            return None
        if not values and question.required:
            errors.add(name, MESSAGES["required"])
        return [o for o in question.options if o in values] or None
    text = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw))
    if not text:
        if question.required:
            errors.add(name, MESSAGES["required"])
        return None
    if kind == K.TEXT:
        if len(text) > MAX_TEXT_ANSWER:
            errors.add(name, lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", MAX_TEXT_ANSWER))
            return None
        return text
    if kind == K.CHOICE:
        if text not in question.options:
            errors.add(name, MESSAGES["not_an_option"])
            return None
        return text
    if kind == K.YES_NO:
        if text not in ("yes", "no"):
            errors.add(name, MESSAGES["not_an_option"])
            return None
        return text == "yes"
    try:
        number = float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > 1e12:
        errors.add(name, MESSAGES["not_a_number"])
        return None
    if question.min_value is not None and number < question.min_value:
        errors.add(name, _l("Enter at least %(min)s.", min=number_text(question.min_value)))
        return None
    if question.max_value is not None and number > question.max_value:
        errors.add(name, _l("Enter at most %(max)s.", max=number_text(question.max_value)))
        return None
    return int(number) if number.is_integer() else number


def clean_answers(questions: list[Question], raw: dict) -> dict[int, object]:
    """question id → stored value for every answered question; every problem at once, beside its field
    (`q<id>`). `raw` maps "q<id>" to what the form sent; a missing key is an unanswered question."""
    errors = FieldErrors()
    cleaned = {}
    for question in questions:
        value = _clean_one(question, raw.get(f"q{question.id}"), errors)
        if value is not None:
            cleaned[question.id] = value
    errors.raise_if_any()
    return cleaned


def save_answers(registration: Registration, cleaned: dict[int, object]) -> None:
    """Write the answers (inside the caller's unit of work): changed ones get a new time, an unchanged
    consent keeps the moment of agreement, and questions left empty lose their old answer."""
    now = clock.now()
    existing = {answer.question_id: answer for answer in registration.answers}
    for question_id, answer in existing.items():
        if question_id not in cleaned:
            registration.answers.remove(answer)
    for question_id, value in cleaned.items():
        answer = existing.get(question_id)
        if answer is None:
            registration.answers.append(Answer(question_id=question_id, value=value, answered_at=now))
        elif answer.value != value:
            answer.value = value
            answer.answered_at = now


def can_change_answers(registration: Registration | None) -> bool:
    """The registrant may correct answers while the registration is live and registration is open."""
    if registration is None or not registration.is_live:
        return False
    try:
        check_open(registration.event, clock.now())
    except Conflict:
        return False
    return True


def update_answers(registration: Registration, raw: dict) -> Registration:
    """The registrant corrects their answers until registration closes. One transaction."""
    with unit_of_work():
        _event, registration = lock_registration(registration)
        if not registration.is_live:
            raise Conflict(MESSAGES["not_registered"])
        try:
            check_open(registration.event, clock.now())
        except Conflict as error:
            raise Conflict(MESSAGES["answers_closed"]) from error
        save_answers(registration, clean_answers(event_questions(registration.event_id), raw))
    return registration


def answer_text(question: Question, value) -> str:
    """How an answer reads in lists and exports."""
    if value is None:
        return ""
    if question.kind == K.MULTIPLE:
        return "; ".join(value)
    if question.kind == K.YES_NO:
        return str(_l("Yes") if value else _l("No"))
    if question.kind == K.CONSENT:
        return str(_l("Agreed"))
    if question.kind == K.NUMBER:
        return number_text(value)
    return str(value)


def raw_answers(registration: Registration | None) -> dict[str, object]:
    """A registration's answers as form data ("q<id>" → value) to fill the answer form."""
    result = {}
    for answer in registration.answers if registration is not None else []:
        value = answer.value
        if isinstance(value, bool) and answer.question.kind == K.YES_NO:
            value = "yes" if value else "no"
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = number_text(value)
        result[f"q{answer.question_id}"] = value
    return result
