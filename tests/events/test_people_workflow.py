"""Issue 15, the organiser's side of events: the list with status and counts, the pending badge,
deleting drafts, no cancelling the past, capacity below the seats held, the mail count before saving,
and change mails that say what changed (real SMTP)."""
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.accounts.models import Role
from app.errors import Conflict, ValidationFailed
from app.events import services
from app.events.models import Event, EventStatus
from app.extensions import db
from app.registrations import services as registrations
from app.registrations.models import Registration, RegistrationStatus
from tests.factories import make_event, make_trainees, make_user

S = RegistrationStatus
T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def organiser(app):
    return make_user("org@example.org", roles=(Role.ORGANISER,), locale="en")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


# --- the organiser's list ---------------------------------------------------------------------

def _row(page: str, title: str) -> str:
    return next(row for row in page.split("<tr>") if title in row)


def test_the_list_shows_each_events_status_and_counts_and_the_pending_badge(client, login, organiser):
    with clock.frozen_at(T0):
        full = make_event(actor=organiser, title="Семинар лидеров", capacity=2)
        confirmed_one, confirmed_two, waiting = make_trainees(3)
        registrations.register(full.id, confirmed_one)
        registrations.register(full.id, confirmed_two)
        registrations.register(full.id, waiting)
        approval = make_event(actor=organiser, title="Школа с отбором", requires_approval=True, capacity=5)
        for trainee in make_trainees(2, prefix="p"):
            registrations.register(approval.id, trainee)
        make_event(actor=organiser, title="Черновик вебинара", kind="webinar", status="draft")
        cancelled = make_event(actor=organiser, title="Отменённый круглый стол", kind="round_table", venue="Библиотека")
        services.cancel_event(cancelled, organiser, "Нет зала")
        make_event(actor=organiser, title="Прошлая поездка", kind="outreach_trip", start=T0 - timedelta(days=5))
    login(organiser)
    with clock.frozen_at(T0):
        page = _text(client.get("/manage/events"))
    assert 'id="pending-total">2<' in page
    assert "applications await your approval across your events" in page
    for phase in ("phase-published", "phase-draft", "phase-cancelled", "phase-past"):
        assert phase in page
    row = _row(page, "Семинар лидеров")
    assert "Confirmed: 2" in row and "On the waitlist: 1" in row and "Awaiting approval: 0" in row
    assert "Seats offered: 0" in row
    row = _row(page, "Школа с отбором")
    assert "phase-published" in row and "data-label=\"Seats left\">5</td>" in row  # applications hold no seat
    assert f'href="/manage/events/{approval.id}/approvals" class="fw-bold">Awaiting approval: 2<' in row
    with clock.frozen_at(T0):
        header = _text(client.get("/events"))
    assert 'nav-badge">2<' in header


def test_pending_approvals_count_only_the_organisers_open_events(app, organiser):
    other = make_user(roles=(Role.ORGANISER,))
    mine = make_event(actor=organiser, requires_approval=True)
    theirs = make_event(actor=other, requires_approval=True)
    for event in (mine, theirs, theirs):
        registrations.register(event.id, make_trainees(1)[0])
    assert services.pending_approvals(organiser) == 1
    assert services.pending_approvals(other) == 2
    assert services.pending_approvals(make_user()) == 0


# --- deleting drafts, cancelling the past -------------------------------------------------------

def test_a_draft_is_deleted_after_a_confirmation_page(client, login, organiser):
    draft = make_event(actor=organiser, title="Черновик", status="draft")
    login(organiser)
    page = _text(client.get(f"/manage/events/{draft.id}/delete"))
    assert "Delete the draft" in page and "deleted for good" in page
    assert db.session.get(Event, draft.id) is not None  # the GET wrote nothing
    response = client.post(f"/manage/events/{draft.id}/delete", data={"confirm": "yes"}, follow_redirects=True)
    assert "The draft is deleted." in _text(response)
    db.session.expire_all()
    assert db.session.get(Event, draft.id) is None


def test_only_drafts_without_registrations_are_deleted(app, organiser):
    published = make_event(actor=organiser)
    with pytest.raises(Conflict, match="только черновик"):
        services.delete_draft(published, organiser)
    draft = make_event(actor=organiser, status="draft")
    db.session.add(Registration(event_id=draft.id, user_id=make_user().id, status=S.CANCELLED))
    db.session.commit()
    with pytest.raises(Conflict, match="уже есть записи"):
        services.delete_draft(draft, organiser)
    assert db.session.get(Event, draft.id) is not None


def test_a_past_event_cannot_be_cancelled(client, login, organiser):
    with clock.frozen_at(T0):
        past = make_event(actor=organiser, start=T0 - timedelta(days=3))
    with clock.frozen_at(T0), pytest.raises(Conflict, match="прошедшее мероприятие отменить нельзя"):
        services.cancel_event(past, organiser, "Поздно")
    with clock.frozen_at(T0), pytest.raises(ValidationFailed) as through_the_api:
        services.update_event(past, organiser, {"status": "cancelled"})
    assert "status" in through_the_api.value.fields
    db.session.expire_all()
    assert db.session.get(Event, past.id).status == EventStatus.PUBLISHED
    login(organiser)
    with clock.frozen_at(T0):
        page = _text(client.get(f"/manage/events/{past.id}/cancel"))
        assert "a past event cannot be cancelled" in page
        response = client.post(f"/manage/events/{past.id}/cancel", data={"reason": "Поздно", "confirm": "yes"})
    assert response.status_code == 422
    assert "a past event cannot be cancelled" in _text(response)


def test_cancelling_asks_for_a_reason_says_how_many_are_mailed_and_mails_it(client, login, organiser,
                                                                            mail_outbox):
    event = make_event(actor=organiser, title="Семинар в Самаре")
    people = make_trainees(3)
    for person in people:
        registrations.register(event.id, person)
    login(organiser)
    page = _text(client.get(f"/manage/events/{event.id}/cancel"))
    assert "Cancelling mails 3 people registered for the event" in page
    assert 'name="reason"' in page and "required" in page
    response = client.post(f"/manage/events/{event.id}/cancel", data={"reason": "", "confirm": "yes"})
    assert response.status_code == 422 and "This field is required." in _text(response)
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    mail_outbox.clear()
    client.post(f"/manage/events/{event.id}/cancel", data={"reason": "Лектор заболел", "confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Event, event.id).cancellation_reason == "Лектор заболел"
    assert "Лектор заболел" in _text(client.get(f"/events/{event.id}"))
    texts = [_plain(m) for m in mail_outbox]
    assert len(texts) == 3 and all("Лектор заболел" in t for t in texts)


# --- capacity below the seats held --------------------------------------------------------------

def test_capacity_below_the_confirmed_is_refused_naming_them(app, organiser):
    event = make_event(actor=organiser, capacity=5)
    for person in make_trainees(3):
        registrations.register(event.id, person)
    with pytest.raises(ValidationFailed) as refused:
        services.update_event(event, organiser, {"capacity": 2})
    assert "Подтверждённых участников: 3" in str(refused.value.fields["capacity"][0])
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 5


def test_keep_the_confirmed_and_close_registration(app, organiser):
    with clock.frozen_at(T0):
        event = make_event(actor=organiser, capacity=5)
        people = make_trainees(4)
        for person in people[:3]:
            registrations.register(event.id, person)
        services.update_event(event, organiser, {"capacity": 2}, keep_confirmed=True)
        db.session.expire_all()
        saved = db.session.get(Event, event.id)
        assert saved.capacity == 2 and saved.registration_closes_at == T0
        assert db.session.query(Registration).filter_by(event_id=event.id, status=S.CONFIRMED).count() == 3
        with pytest.raises(Conflict):
            registrations.register(event.id, people[3])


def test_the_form_offers_keeping_the_confirmed_beside_the_capacity_error(client, login, organiser):
    event = make_event(actor=organiser, capacity=5)
    for person in make_trainees(3):
        registrations.register(event.id, person)
    login(organiser)
    form = _edit_form(client, event)
    form["capacity"] = "2"
    response = client.post(f"/manage/events/{event.id}/edit", data=form)
    page = _text(response)
    assert response.status_code == 422
    assert "3 people are confirmed: the capacity cannot be less than 3" in page
    assert 'name="keep_confirmed"' in page
    form["keep_confirmed"] = "y"
    response = client.post(f"/manage/events/{event.id}/edit", data=form)
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 2


# --- the mail count before saving, and what the mail says ------------------------------------------

def _edit_form(client, event) -> dict:
    """The edit form's fields as the page fills them (GET), ready to post back."""
    import re
    page = _text(client.get(f"/manage/events/{event.id}/edit"))
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, value in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"', page):
        data.setdefault(value, name)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        data[name] = next(g for g in chosen.groups() if g is not None) if chosen else ""
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\s*(.*?)</textarea>', page, re.S):
        data[name] = value
    for name in ("is_online", "requires_approval", "keep_confirmed"):
        if re.search(rf'name="{name}"[^>]*checked', page) is None:
            data.pop(name, None)
    data.pop("save", None)
    data.pop("notify_confirmed", None)
    return {k: v for k, v in data.items() if k not in ("add_session", "remove_session")}


def test_a_change_that_mails_asks_first_with_the_count(client, login, organiser, mail_outbox):
    event = make_event(actor=organiser, capacity=10)
    for person in make_trainees(3):
        registrations.register(event.id, person)
    login(organiser)
    form = _edit_form(client, event)
    form["venue"] = "Дом дружбы"
    mail_outbox.clear()
    response = client.post(f"/manage/events/{event.id}/edit", data=form)
    page = _text(response)
    assert response.status_code == 200
    assert "will mail 3 people registered for the event" in page and "Save and notify 3 people" in page
    db.session.expire_all()
    assert db.session.get(Event, event.id).venue == "Гостиница «Волга»" and mail_outbox == []
    response = client.post(f"/manage/events/{event.id}/edit", data={**form, "notify_confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).venue == "Дом дружбы"
    assert len(mail_outbox) == 3


def test_saving_the_form_unchanged_is_no_change(client, login, organiser, mail_outbox):
    event = make_event(actor=organiser, capacity=10)
    registrations.register(event.id, make_trainees(1)[0])
    login(organiser)
    mail_outbox.clear()
    sequence = event.sequence
    assert client.post(f"/manage/events/{event.id}/edit", data=_edit_form(client, event)).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).sequence == sequence and mail_outbox == []


def test_a_change_that_mails_nobody_saves_at_once(client, login, organiser):
    event = make_event(actor=organiser, capacity=10)
    login(organiser)
    form = _edit_form(client, event)
    form["venue"] = "Дом дружбы"
    assert client.post(f"/manage/events/{event.id}/edit", data=form).status_code == 302


def test_the_change_mail_says_old_and_new_in_the_recipients_language(app, organiser, mail_outbox):
    start = datetime(2027, 3, 1, 5, 0, tzinfo=UTC)  # 09:00 in Samara
    event = make_event(actor=organiser, start=start, timezone="Europe/Samara")
    russian, english = make_user(locale="ru"), make_user(locale="en")
    for person in (russian, english):
        registrations.register(event.id, person)
    mail_outbox.clear()
    moved = [{"start": (s.starts_at + timedelta(hours=2)).isoformat(), "end": (s.ends_at + timedelta(hours=2)).isoformat(),
              "title": s.title} for s in event.sessions]
    services.update_event(event, organiser, {"sessions": moved, "venue": "Дом дружбы"})
    by_person = {m["To"].addresses[0].addr_spec: _plain(m) for m in mail_outbox}
    text_en, text_ru = by_person[english.email], by_person[russian.email]
    assert "What changed:" in text_en
    assert "Venue: Гостиница «Волга» → Дом дружбы" in text_en
    assert "9:00" in text_en and "11:00" in text_en  # Samara time, before and after
    assert "Что изменилось:" in text_ru and "Место проведения: Гостиница «Волга» → Дом дружбы" in text_ru
    html = next(m for m in mail_outbox if english.email in m["To"]).get_body(("html",)).get_content()
    assert "<s>Гостиница «Волга»</s> → <strong>Дом дружбы</strong>" in html


def test_the_change_mail_gives_one_line_per_changed_session_old_then_new(app, organiser, mail_outbox):
    event = make_event(actor=organiser, start=datetime(2027, 3, 1, 5, 0, tzinfo=UTC), timezone="Europe/Samara",
                       days=3)
    english = make_user(locale="en")
    registrations.register(event.id, english)
    mail_outbox.clear()
    sessions = [{"start": s.starts_at.isoformat(), "end": s.ends_at.isoformat(), "title": s.title}
                for s in event.sessions]
    second = event.sessions[1]
    sessions[1] = {"start": (second.starts_at + timedelta(hours=1)).isoformat(),
                   "end": (second.ends_at + timedelta(hours=1)).isoformat(), "title": second.title}
    services.update_event(event, organiser, {"sessions": sessions[:2]})
    lines = [line for line in _plain(mail_outbox[0]).splitlines() if line.startswith("- Session:")]
    assert len(lines) == 2, lines
    assert " → " in lines[0] and "9:00" in lines[0].split(" → ")[0] and "10:00" in lines[0].split(" → ")[1]
    assert lines[1].endswith("→ removed") and "3 Mar 2027" in lines[1]


def test_a_changed_join_link_is_not_shown_in_the_change_list(app, organiser, mail_outbox):
    event = make_event(actor=organiser, kind="webinar", capacity=1)
    confirmed, waiting = make_trainees(2)
    registrations.register(event.id, confirmed)
    registrations.register(event.id, waiting)
    mail_outbox.clear()
    services.update_event(event, organiser, {"online_url": "https://meet.example.org/join/new-room"})
    mail_for_waiting = next(m for m in mail_outbox if waiting.email in m["To"])
    assert "new-room" not in _plain(mail_for_waiting)
    mail_for_confirmed = next(m for m in mail_outbox if confirmed.email in m["To"])
    assert "new-room" in _plain(mail_for_confirmed)
