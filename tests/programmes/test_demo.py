"""`flask seed-demo`: reads like the seeds, obeys the rules, and a second run changes nothing."""
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import Organisation, User
from app.events.models import Event, EventChange, EventKind, Session, TripResult
from app.extensions import db
from app.programmes.models import PlanItem, Programme, Stage
from app.registrations.models import CheckIn, Registration, RegistrationStatus


def _counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Organisation, Programme, Stage, PlanItem, Event, Session, Registration,
                          TripResult, EventChange)}


def test_seed_demo_is_complete_and_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    for login in ("admin@example.org", "organiser@example.org", "curator@example.org", "trainee@example.org"):
        assert f"{login} praktika-demo" in lines  # one `email password` pair per line, nothing else on it
        assert accounts.authenticate(login, "praktika-demo") is not None
    counts = _counts()

    programme = db.session.execute(select(Programme).where(
        Programme.title == "КПД НКО: команда пациентов в действии")).scalar_one()
    assert [s.number for s in programme.stages] == [1, 2]
    assert [i.number for i in programme.plan_items] == [str(n) for n in range(1, 11)]
    assert all(programme.starts_on <= i.planned_start <= i.planned_end <= programme.ends_on
               for i in programme.plan_items)
    assert len(programme.region_codes) == 30

    seminar = db.session.execute(select(Event).where(
        Event.title == "Поддерживающее консультирование в деятельности пациентской организации")).scalar_one()
    assert len(seminar.sessions) == 3 and seminar.requires_approval and seminar.max_per_region == 1
    confirmed = db.session.execute(select(Registration).where(
        Registration.event_id == seminar.id, Registration.status == RegistrationStatus.CONFIRMED)).scalars().all()
    assert len(confirmed) == 29 and len({r.region_code for r in confirmed}) == 29  # the 30th cancelled, ill
    assert programme.plan_items[0].events == [seminar]

    stage_2 = db.session.execute(select(Event).where(Event.max_per_organisation == 2)).scalar_one()
    per_org = db.session.execute(select(Registration.organisation_id, func.count()).where(
        Registration.event_id == stage_2.id).group_by(Registration.organisation_id)).all()
    assert len(per_org) == 15 and {n for _org, n in per_org} == {2}

    kinds = db.session.execute(select(Event.kind, func.count()).group_by(Event.kind)).all()
    # + the selection school and its draft webinar (issue 15: applications waiting, a deletable draft)
    assert dict(kinds) == {EventKind.SEMINAR: 4, EventKind.WEBINAR: 4, EventKind.ROUND_TABLE: 1,
                           EventKind.OUTREACH_TRIP: 2, EventKind.SELF_HELP_GROUP: 2}
    groups = db.session.execute(select(Event).where(Event.kind == EventKind.SELF_HELP_GROUP)
                                .order_by(Event.id)).scalars().all()
    assert [g.group.community for g in groups] == ["Община Малко Търново", "Община Бургас, кв. Победа"]
    for group in groups:
        assert group.series.every == 2 and len(group.sessions) == 10 and group.group.facilitator is not None
        held = [s for s in group.sessions if s.outcome_recorded_at is not None]
        assert len(held) >= 3 and all(s.title and s.outcome and s.guests is not None for s in held)
        checked_in = db.session.scalar(select(func.count(CheckIn.id)).where(
            CheckIn.session_id.in_([s.id for s in held])))
        assert checked_in > len(held)
    trips = db.session.execute(select(Event).where(Event.kind == EventKind.OUTREACH_TRIP)
                               .order_by(Event.starts_at)).scalars().all()
    assert all(t.region_code == "RU-SMO" and t.team_roles for t in trips)
    assert trips[0].results and not trips[1].results
    assert {e.language for e in db.session.execute(select(Event)).scalars()} == {"ru", "bg", "pl"}
    assert set(db.session.execute(select(Event.timezone).where(Event.language == "bg")).scalars()) == {"Europe/Sofia"}
    assert db.session.execute(select(Event.timezone).where(Event.language == "pl")).scalar_one() == "Europe/Warsaw"

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    assert _counts() == counts


def test_demo_pages_render(app, runner, client, login):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    programme = db.session.execute(select(Programme).where(
        Programme.title == "КПД НКО: команда пациентов в действии")).scalar_one()
    public = client.get(f"/programmes/{programme.id}")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "Поддерживающее консультирование" in text and "<svg" in text
    organiser = accounts.find_user_by_email("organiser@example.org")
    login(organiser, "praktika-demo")
    assert client.get("/manage/programmes").status_code == 200
    assert client.get(f"/manage/programmes/{programme.id}").status_code == 200
    api = client.get("/api/v1/events", query_string={"region": "RU-SMO", "kind": "outreach_trip"}).get_json()
    assert api["total"] == 1
    groups = client.get("/api/v1/events", query_string={"kind": "self_help_group"}).get_json()
    assert groups["total"] == 2
    page = client.get(f"/events/{groups['items'][0]['id']}").get_data(as_text=True)
    assert "data-past-meetings" in page and "<svg" in page
