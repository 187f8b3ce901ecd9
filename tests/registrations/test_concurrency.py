"""No overbooking under real concurrency: threads, each with its own app context and connection."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.errors import Conflict
from app.extensions import db
from app.registrations import services
from app.registrations.models import Registration, RegistrationStatus
from tests.conftest import make_app, require_postgres
from tests.factories import make_event, make_trainees, make_user

S = RegistrationStatus


def _run_at_once(app, jobs):
    """Run each job(user_id) in its own thread and app context, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        with app.app_context():
            barrier.wait(timeout=60)
            try:
                return job()
            except Conflict as error:
                return error
            except Exception as error:  # recorded and asserted below: the test must see it
                errors.append(error)
                raise
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(worker, jobs))
    assert not errors, errors
    return results


def _counts(event_id):
    rows = db.session.execute(
        select(Registration.status, func.count(Registration.id)).where(Registration.event_id == event_id)
        .group_by(Registration.status)
    ).all()
    return dict(rows)


def _register_job(event_id, user_id):
    def job():
        return services.register(event_id, db.session.get(User, user_id)).status
    return job


def _many_register_at_once(app, registrants, capacity):
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,), password=None)
        event = make_event(actor=organiser, capacity=capacity)
        user_ids = [u.id for u in make_trainees(registrants)]
        event_id = event.id
    results = _run_at_once(app, [_register_job(event_id, uid) for uid in user_ids])
    with app.app_context():
        counts = _counts(event_id)
        positions = sorted(services.waitlist_positions(db.session.get(type(event), event_id)).values())
        db.session.remove()
    return results, counts, positions


def _postgres_app(tmp_path):
    url = require_postgres()
    return make_app(tmp_path, database_url=url,
                    SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 40, "max_overflow": 0, "pool_timeout": 120})


@pytest.mark.postgres
def test_200_register_at_once_for_30_seats_on_postgresql(tmp_path):
    app = _postgres_app(tmp_path)
    results, counts, positions = _many_register_at_once(app, registrants=200, capacity=30)
    assert results.count(S.CONFIRMED) == 30
    assert results.count(S.WAITLISTED) == 170
    assert counts == {S.CONFIRMED: 30, S.WAITLISTED: 170}
    assert positions == list(range(1, 171))
    with app.app_context():
        db.engine.dispose()


def test_many_register_at_once_on_sqlite(tmp_path):
    app = make_app(tmp_path, database_url=f"sqlite:///{tmp_path / 'race.sqlite3'}")
    results, counts, positions = _many_register_at_once(app, registrants=40, capacity=10)
    assert counts == {S.CONFIRMED: 10, S.WAITLISTED: 30}
    assert results.count(S.CONFIRMED) == 10
    assert positions == list(range(1, 31))
    with app.app_context():
        db.engine.dispose()


def _cancellations_and_accepts(app, capacity, waiting, cancelling, leaving, newcomers):
    """Cancellations, waitlist leavers and newcomers at once; then offers accepted while more cancel."""
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,), password=None)
        event = make_event(actor=organiser, capacity=capacity)
        event_id = event.id
        confirmed = [services.register(event_id, u).id for u in make_trainees(capacity)]
        queued = [services.register(event_id, u).id for u in make_trainees(waiting)]
        newcomer_ids = [u.id for u in make_trainees(newcomers)]
        db.session.remove()

    def act(action, registration_id):
        def job():
            registration = db.session.get(Registration, registration_id)
            user = db.session.get(User, registration.user_id)
            return getattr(services, action)(registration, user).status
        return job

    first = [act("cancel", rid) for rid in confirmed[:cancelling]]
    first += [act("leave_waitlist", rid) for rid in queued[-leaving:]]
    first += [_register_job(event_id, uid) for uid in newcomer_ids]
    _run_at_once(app, first)
    with app.app_context():
        after_first = _counts(event_id)
        offered = db.session.execute(
            select(Registration.id).where(Registration.event_id == event_id, Registration.status == S.OFFERED)
        ).scalars().all()
        db.session.remove()
    second = [act("accept_offer", rid) for rid in offered]
    second += [act("cancel", rid) for rid in confirmed[cancelling:2 * cancelling]]
    second += [act("decline_offer", rid) for rid in offered[:2]]
    _run_at_once(app, second)
    with app.app_context():
        final = _counts(event_id)
        order = db.session.execute(
            select(Registration.id, Registration.status).where(Registration.id.in_(queued))
        ).all()
        db.session.remove()
        db.engine.dispose()
    return after_first, offered, final, dict(order), queued


def _assert_capacity_and_fifo(capacity, after_first, offered, final, order, queued, cancelling, leaving):
    for counts in (after_first, final):
        assert counts.get(S.CONFIRMED, 0) + counts.get(S.OFFERED, 0) == capacity
    # the first `cancelling` people still queued got the offers, in FIFO order
    stayed = queued[:-leaving]
    assert sorted(offered) == sorted(stayed[:cancelling])
    assert all(order[rid] == S.CANCELLED for rid in queued[-leaving:])


@pytest.mark.postgres
def test_cancellations_and_accepts_never_exceed_capacity_on_postgresql(tmp_path):
    app = _postgres_app(tmp_path)
    result = _cancellations_and_accepts(app, capacity=30, waiting=60, cancelling=12, leaving=10, newcomers=20)
    _assert_capacity_and_fifo(30, *result, cancelling=12, leaving=10)


def test_cancellations_and_accepts_never_exceed_capacity_on_sqlite(tmp_path):
    app = make_app(tmp_path, database_url=f"sqlite:///{tmp_path / 'race.sqlite3'}")
    result = _cancellations_and_accepts(app, capacity=8, waiting=16, cancelling=4, leaving=3, newcomers=6)
    _assert_capacity_and_fifo(8, *result, cancelling=4, leaving=3)
