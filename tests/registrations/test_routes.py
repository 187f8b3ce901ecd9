"""Registration pages through HTTP: the contract URLs, flashes, organiser pages, exports, check-in."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app import clock
from app.accounts.models import Role
from app.extensions import db
from app.registrations import services
from app.registrations.models import CheckIn, Registration, RegistrationStatus
from tests.factories import make_event, make_organisation, make_trainees, make_user

S = RegistrationStatus


@pytest.fixture
def organiser(app):
    return make_user(roles=(Role.ORGANISER,), locale="en")


def _text(response):
    return response.get_data(as_text=True)


def test_register_flashes_the_result_at_once(client, login, organiser):
    event = make_event(actor=organiser, capacity=1)
    services.register(event.id, make_trainees(1)[0])
    login(make_user(locale="en"))
    response = client.post(f"/events/{event.id}/register", data={}, follow_redirects=True)
    assert response.status_code == 200
    page = _text(response)
    assert "The event is full: you are on the waitlist at position 1." in page
    assert "position 1 on the waitlist" in page and "Leave the waitlist" in page


@pytest.mark.parametrize("app_overrides", [{"HUEY_IMMEDIATE": False}])  # the mail waits for a worker
@pytest.mark.parametrize("waiting", [0, 2])
def test_register_reads_nothing_after_its_commit(client, login, organiser, waiting):
    """The seat is decided under the event lock; the page's flash (status, place in the queue) comes from
    what the service kept, not from a second transaction after the commit."""
    from sqlalchemy import event as sa_event

    event = make_event(actor=organiser, capacity=1)
    for trainee in make_trainees(1 + waiting):
        services.register(event.id, trainee)
    login(make_user(locale="en"))
    client.get(f"/events/{event.id}")
    steps = []
    listeners = [("before_cursor_execute", lambda *_args: steps.append("statement")),
                 ("commit", lambda *_args: steps.append("commit"))]
    for name, listener in listeners:
        sa_event.listen(db.engine, name, listener)
    try:
        response = client.post(f"/events/{event.id}/register", data={})
    finally:
        for name, listener in listeners:
            sa_event.remove(db.engine, name, listener)
    assert response.status_code == 302
    assert steps.count("commit") == 1 and steps[-1] == "commit", steps
    page = _text(client.get(response.headers["Location"]))
    assert f"The event is full: you are on the waitlist at position {waiting + 1}." in page


def test_register_confirm_and_cancel(client, login, organiser):
    event = make_event(actor=organiser, capacity=5)
    user = login(make_user(locale="en"))
    response = client.post(f"/events/{event.id}/register", follow_redirects=True)
    assert "your place is confirmed" in _text(response)
    registration = db.session.query(Registration).filter_by(user_id=user.id).one()
    assert registration.status == S.CONFIRMED
    response = client.post(f"/events/{event.id}/cancel", data={"confirm": "yes"}, follow_redirects=True)
    assert "Your registration is cancelled." in _text(response)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == S.CANCELLED


def test_offer_accept_through_the_page(client, login, organiser):
    event = make_event(actor=organiser, capacity=1)
    first = make_trainees(1)[0]
    held = services.register(event.id, first)
    user = login(make_user(locale="en"))
    client.post(f"/events/{event.id}/register")
    services.cancel(held, first)
    page = _text(client.get(f"/events/{event.id}"))
    assert "Accept the seat" in page and "A seat is held for you until" in page
    response = client.post(f"/events/{event.id}/offer/accept", follow_redirects=True)
    assert "The seat is yours" in _text(response)
    assert db.session.query(Registration).filter_by(user_id=user.id).one().status == S.CONFIRMED
    response = client.post(f"/events/{event.id}/offer/accept", follow_redirects=True)
    assert "There is no seat offered to you" in _text(response)


def test_trip_needs_a_role_in_the_form(client, login, organiser):
    trip = make_event(actor=organiser, kind="outreach_trip", capacity=10,
                      team_roles=[{"role": "doctor", "needed": 2}])
    login(make_user(locale="en"))
    page = _text(client.get(f"/events/{trip.id}"))
    assert 'name="role"' in page and "Doctor (2)" in page
    response = client.post(f"/events/{trip.id}/register", data={"role": ""}, follow_redirects=True)
    assert "Choose your role in the team." in _text(response)
    response = client.post(f"/events/{trip.id}/register", data={"role": "doctor"}, follow_redirects=True)
    assert "your place is confirmed" in _text(response)


def test_webinar_join_link_only_for_confirmed(client, login, organiser):
    webinar = make_event(actor=organiser, kind="webinar", capacity=1)
    secret = "secret-room-42"
    services.register(webinar.id, make_trainees(1)[0])
    assert secret not in _text(client.get(f"/events/{webinar.id}"))       # anonymous
    waiting = login(make_user(locale="en"))
    client.post(f"/events/{webinar.id}/register")
    assert secret not in _text(client.get(f"/events/{webinar.id}"))       # waitlisted
    registration = db.session.query(Registration).filter_by(user_id=waiting.id).one()
    registration.status = S.CONFIRMED
    db.session.commit()
    assert secret in _text(client.get(f"/events/{webinar.id}"))


def test_me_lists_registrations_with_position_and_ticket(client, login, organiser):
    full = make_event(actor=organiser, capacity=1, title="Семинар в Пензе")
    open_event = make_event(actor=organiser, capacity=10, title="Вебинар о правах пациентов")
    services.register(full.id, make_trainees(1)[0])
    user = login(make_user(locale="en"))
    services.register(full.id, user)
    mine = services.register(open_event.id, user)
    page = _text(client.get("/me"))
    assert "Семинар в Пензе" in page and "position 1 on the waitlist" in page
    assert f"/events/{open_event.id}/registrations/{mine.id}/ticket" in page


def test_ticket_page_has_an_inline_qr(client, login, organiser):
    event = make_event(actor=organiser)
    user = login(make_user(locale="en"))
    registration = services.register(event.id, user)
    response = client.get(f"/events/{event.id}/registrations/{registration.id}/ticket")
    page = _text(response)
    assert response.status_code == 200 and "<svg" in page
    assert services.ticket_token(registration) in page


def test_participants_list_counts_filters_and_exports(client, login, organiser):
    ngo = make_organisation("Пензенская организация", region_code="RU-PNZ")
    event = make_event(actor=organiser, capacity=2)
    for user in make_trainees(2) + make_trainees(1, region_code="RU-PNZ", organisation=ngo):
        services.register(event.id, user)
    login(organiser)
    page = _text(client.get(f"/manage/events/{event.id}/registrations"))
    assert "Слушатель" in page
    filtered = _text(client.get(f"/manage/events/{event.id}/registrations?region=RU-PNZ"))
    assert filtered.count("Пензенская организация") >= 1
    response = client.get(f"/manage/events/{event.id}/registrations.csv?status=waitlisted")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][3] == "1"
    response = client.get(f"/manage/events/{event.id}/registrations.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 4
    bad = client.get(f"/manage/events/{event.id}/registrations?organisation=abc&status=nonsense")
    assert bad.status_code == 200


def test_approval_queue_shows_rule_counts_and_rejects_with_reason(client, login, organiser):
    event = make_event(actor=organiser, requires_approval=True, max_per_region=1)
    first, second = make_trainees(2)
    r1, r2 = services.register(event.id, first), services.register(event.id, second)
    services.approve(r1, organiser)
    login(organiser)
    page = _text(client.get(f"/manage/events/{event.id}/approvals"))
    assert "region: 1 of 1, no place left: approval will be refused" in page
    response = client.post(f"/manage/events/{event.id}/registrations/{r2.id}/approve", follow_redirects=True)
    assert db.session.get(Registration, r2.id).status == S.PENDING
    response = client.post(f"/manage/events/{event.id}/registrations/{r2.id}/reject", data={f"r{r2.id}-reason": ""})
    assert response.status_code == 422 and "invalid-feedback" in _text(response)
    response = client.post(f"/manage/events/{event.id}/registrations/{r2.id}/reject",
                           data={f"r{r2.id}-reason": "Один лидер от региона"})
    assert response.status_code == 200 and "Один лидер от региона" in _text(response)  # asks first
    assert db.session.get(Registration, r2.id).status == S.PENDING
    response = client.post(f"/manage/events/{event.id}/registrations/{r2.id}/reject",
                           data={f"r{r2.id}-reason": "Один лидер от региона", "confirm": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, r2.id).status == S.REJECTED


def test_check_in_by_name_by_ticket_and_undo(client, login, organiser):
    with clock.frozen_at(datetime(2027, 3, 1, 5, 0, tzinfo=UTC)):
        event = make_event(actor=organiser, days=2, start=datetime(2027, 3, 1, 6, 0, tzinfo=UTC))
        a, b = make_trainees(2)
        ra, rb = services.register(event.id, a), services.register(event.id, b)
        day1 = event.sessions[0]
        login(organiser)
        url = f"/manage/events/{event.id}/sessions/{day1.id}/check-in"
        page = _text(client.get(url + f"?q={a.full_name}"))
        assert a.full_name in page and b.full_name not in page
        assert client.post(url, data={"registration_id": ra.id}).status_code == 302
        assert client.post(url, data={"token": services.ticket_token(rb)}).status_code == 302
        assert db.session.query(CheckIn).count() == 2
        bad = client.post(url, data={"token": "forged"})
        assert bad.status_code == 422
        assert "This ticket is not valid for this event." in _text(bad)
        assert client.post(url + "/undo", data={"registration_id": ra.id}).status_code == 302
        assert {c.registration_id for c in db.session.query(CheckIn)} == {rb.id}
        clock.advance(timedelta(hours=3))
        page = _text(client.get(f"/manage/events/{event.id}/registrations"))
        assert "100%" in page and "0%" in page


def _count_queries(client, url):
    """Statements of one GET in steady state (a first GET warms what the test's session keeps)."""
    from sqlalchemy import event as sa_event

    assert client.get(url).status_code == 200
    statements = []

    def count(*_args):
        statements.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("page", ["/manage/events/{e}/registrations", "/manage/events/{e}/approvals",
                                  "/manage/events/{e}/sessions/{s}/check-in"])
def test_list_pages_do_not_grow_queries_with_rows(client, login, organiser, page):
    ngos = [make_organisation(f"НКО {n}") for n in range(3)]
    small = make_event(actor=organiser, capacity=2, requires_approval="approvals" in page)
    large = make_event(actor=organiser, capacity=10, requires_approval="approvals" in page)
    for event, count in ((small, 3), (large, 15)):
        for n, user in enumerate(make_trainees(count)):
            user.organisation_id = ngos[n % 3].id
            services.register(event.id, user)
    login(organiser)
    counts = [_count_queries(client, page.format(e=event.id, s=event.sessions[0].id)) for event in (small, large)]
    assert counts[0] == counts[1], counts


def test_me_does_not_grow_queries_with_registrations(client, login, organiser):
    user = login(make_user())
    client.get("/me")  # warm-up: the first page after login loads more than any later one
    counts = []
    for extra in (1, 6):
        for _ in range(extra):
            full = make_event(actor=organiser, capacity=1)
            services.register(full.id, make_trainees(1)[0])
            services.register(full.id, user)
            services.register(make_event(actor=organiser, capacity=5).id, user)
        counts.append(_count_queries(client, "/me"))
    assert counts[0] == counts[1], counts


def test_exports_keep_formula_like_names_as_text(client, login, organiser):
    event = make_event(actor=organiser)
    services.register(event.id, make_user(full_name='=HYPERLINK("http://evil.example","x")', password=None))
    login(organiser)
    sheet = load_workbook(io.BytesIO(client.get(f"/manage/events/{event.id}/registrations.xlsx").data)).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")
    text = client.get(f"/manage/events/{event.id}/registrations.csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1][0].startswith("'=HYPERLINK")
