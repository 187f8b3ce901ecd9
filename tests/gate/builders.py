"""Builders of the objects a route's URL names, registered by the name the route table gives.

`@builder("event")` registers a function `(world) -> Target`: the URL values of a fresh object and
the user who owns it (who passes the route's object rule). Each call builds new objects, so every
cell of the matrix and every fuzzer starts from its own untouched object.
"""
import hashlib
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from app import clock
from app.accounts import services as accounts
from app.accounts import verification
from app.accounts.models import ApiToken, Organisation, OrganisationKind, PasswordResetToken, Role
from app.certificates import issuance
from app.certificates import jobs as certificate_jobs
from app.certificates.models import CertificateKind
from app.database import unit_of_work
from app.events import services as events
from app.extensions import db
from app.materials import services as materials
from app.messaging import services as messaging
from app.outbox import services as outbox
from app.outbox.models import OutboxState
from app.programmes import services as programmes
from app.quotas import services as quotas
from app.quotas.models import Consultation, ConsultationQuota, ReviewState
from app.registrations import questions as registration_questions
from app.registrations import services as registrations
from app.registrations.models import Registration, RegistrationStatus
from app.reports import indicators as report_indicators
from app.reports import snapshots as report_snapshots
from tests.factories import make_calendar_registration, make_event, make_trainees, make_user
from tests.materials.files import pdf_upload

BUILDERS: dict = {}
_numbers = itertools.count(1)


@dataclass
class Target:
    values: dict = field(default_factory=dict)
    owner: object = None
    foreign_values: dict | None = None  # token routes: what a non-holder puts in the URL


def builder(name: str):
    def register(func):
        if name in BUILDERS:
            raise RuntimeError(f"builder {name!r} registered twice")
        BUILDERS[name] = func
        return func

    return register


def build(name: str | None, world) -> Target:
    if name is None:
        return Target()
    return BUILDERS[name](world)


# --- objects --------------------------------------------------------------------------------------

def new_organiser():
    return make_user(roles=(Role.ORGANISER,), full_name="Ольга Организатор")


def new_programme(organiser):
    return programmes.create_programme(organiser, {
        "title": "КПД НКО: команда пациентов в действии", "funder": "Фонд президентских грантов",
        "grant_number": "23-1-000001", "starts_on": date(2027, 2, 1), "ends_on": date(2027, 12, 21),
        "regions": ["RU-SAM"], "target_groups": "Лидеры пациентских НКО", "description": "",
        "organisers": [organiser.id]})


def programme_event(organiser=None, **fields):
    """A published three-day seminar of a programme its organiser manages."""
    organiser = organiser or new_organiser()
    programme = new_programme(organiser)
    event = make_event(actor=organiser, days=3, programme_id=programme.id, **fields)
    return organiser, event


@builder("static_file")
def _static_file(world):
    return Target({"filename": "css/praktika.css"})


@builder("bootstrap_file")
def _bootstrap_file(world):
    return Target({"filename": "css/bootstrap.min.css"})


@builder("user")
def _user(world):
    return Target({"user_id": make_user().id})


@builder("organisation")
def _organisation(world):
    organisation = Organisation(name=f"Союз пациентов Пензы {next(_numbers)}", kind=OrganisationKind.PATIENT_NGO,
                                region_code="RU-PNZ", approved=False)
    db.session.add(organisation)
    db.session.commit()
    return Target({"organisation_id": organisation.id})


@builder("programme")
def _programme(world):
    organiser = new_organiser()
    return Target({"programme_id": new_programme(organiser).id}, owner=organiser)


@builder("stage")
def _stage(world):
    organiser = new_organiser()
    programme = new_programme(organiser)
    stage = programmes.add_stage(programme, organiser, {
        "number": 1, "title": "Этап 1", "starts_on": date(2027, 3, 1), "ends_on": date(2027, 6, 30)})
    return Target({"programme_id": programme.id, "stage_id": stage.id}, owner=organiser)


@builder("plan_item")
def _plan_item(world):
    organiser = new_organiser()
    programme = new_programme(organiser)
    item = programmes.add_plan_item(programme, organiser, {
        "number": "1", "activity": "Выездной 3-хдневный семинар-тренинг", "planned_start": date(2027, 3, 1),
        "planned_end": date(2027, 4, 30), "stage_id": None, "event_ids": []})
    return Target({"programme_id": programme.id, "item_id": item.id}, owner=organiser)


@builder("event_kind")
def _event_kind(world):
    return Target({"kind": "seminar"})


@builder("event")
def _event(world):
    organiser, event = programme_event(capacity=5)
    return Target({"event_id": event.id}, owner=organiser)


@builder("draft_event")
def _draft_event(world):
    organiser, event = programme_event(status="draft")
    return Target({"event_id": event.id}, owner=organiser)


@builder("trip")
def _trip(world):
    organiser, event = programme_event(kind="outreach_trip", start=clock.now() - timedelta(days=3))
    return Target({"event_id": event.id}, owner=organiser)


@builder("event_session")
def _event_session(world):
    organiser, event = programme_event()
    registrations.register(event.id, make_user())
    return Target({"event_id": event.id, "session_id": event.sessions[0].id}, owner=organiser)


def _group(start):
    """A published fortnightly self-help group of a programme, its meetings made from a series rule."""
    organiser, event = programme_event(kind="self_help_group", start=start,
                                       group={"community": "Малко Търново", "membership": "open"},
                                       timezone="Europe/Sofia", venue="Читалище „Просвета“")
    first = start.astimezone(event.tz)
    events.create_meetings(event, organiser, {
        "frequency": "weekly", "every": 2, "weekdays": [first.weekday()], "starts_on": first.date(), "count": 3,
        "start_time": first.time(), "duration_minutes": 90})
    return organiser, events.get_event(event.id)


@builder("group_meeting")
def _group_meeting(world):
    organiser, event = _group(clock.now() + timedelta(days=10))
    return Target({"event_id": event.id, "session_id": event.sessions[1].id}, owner=organiser)


@builder("cancelled_group_meeting")
def _cancelled_group_meeting(world):
    organiser, event = _group(clock.now() + timedelta(days=10))
    events.cancel_meeting(event, event.sessions[1].id, organiser)
    return Target({"event_id": event.id, "session_id": event.sessions[1].id}, owner=organiser)


@builder("held_group_meeting")
def _held_group_meeting(world):
    organiser, event = _group(clock.now() - timedelta(days=3))
    return Target({"event_id": event.id, "session_id": event.sessions[0].id}, owner=organiser)


@builder("own_registration")
def _own_registration(world):
    _organiser, event = programme_event()
    trainee = make_user()
    registration = registrations.register(event.id, trainee)
    return Target({"event_id": event.id, "registration_id": registration.id}, owner=trainee)


@builder("offered_registration")
def _offered_registration(world):
    _organiser, event = programme_event(capacity=1)
    trainee = make_user()
    registration = make_calendar_registration(trainee, event, status="offered",
                                              offer_expires_at=clock.now() + timedelta(hours=48))
    return Target({"event_id": event.id, "registration_id": registration.id}, owner=trainee)


@builder("pending_registration")
def _pending_registration(world):
    organiser, event = programme_event(requires_approval=True)
    registration = registrations.register(event.id, make_user())
    return Target({"event_id": event.id, "registration_id": registration.id}, owner=organiser)


@builder("event_registration")
def _event_registration(world):
    organiser, event = programme_event()
    registration = registrations.register(event.id, make_user())
    return Target({"event_id": event.id, "registration_id": registration.id}, owner=organiser)


@builder("event_message")
def _event_message(world):
    organiser, event = programme_event()
    registrations.register(event.id, make_user())
    message = messaging.send(event, organiser, messaging.Audience(), "О семинаре", "Здравствуйте, {name}!")
    return Target({"event_id": event.id, "message_id": message.id}, owner=organiser)


@builder("trip_registration")
def _trip_registration(world):
    """A trip needing a doctor and a driver, with a confirmed doctor."""
    organiser, event = programme_event(kind="outreach_trip", team_roles=[{"role": "doctor", "needed": 2},
                                                                          {"role": "driver", "needed": 1}])
    registration = registrations.register(event.id, make_user(), team_role="doctor")
    return Target({"event_id": event.id, "registration_id": registration.id}, owner=organiser)


@builder("event_question")
def _event_question(world):
    organiser, event = programme_event()
    question = registration_questions.add_question(event, {
        "kind": "choice", "label": "Форма участия", "options": "Очно\nОнлайн", "required": True})
    return Target({"event_id": event.id, "question_id": question.id}, owner=organiser)


@builder("calendar_token")
def _calendar_token(world):
    trainee = make_user()
    stale = accounts.calendar_token(trainee)
    current = accounts.reset_calendar_token(trainee)
    return Target({"token": current}, owner=trainee, foreign_values={"token": stale})


@builder("approval_event")
def _approval_event(world):
    organiser, event = programme_event(requires_approval=True, capacity=None)
    registrations.register(event.id, make_trainees(1)[0])  # one application waits
    return Target({"event_id": event.id}, owner=organiser)


@builder("managed_material")
def _managed_material(world):
    organiser, event = programme_event()
    material = materials.add_link(event, organiser, {
        "title": "Запись вебинара", "url": "https://video.example.org/kpd-nko/1", "visibility": "public"})
    return Target({"event_id": event.id, "material_id": material.id}, owner=organiser)


@builder("participant_material")
def _participant_material(world):
    """A participants-only file; its owner is a confirmed participant (admins and organisers also pass)."""
    organiser, event = programme_event()
    material = materials.add_file(event, organiser, {"title": "Слайды дня 1", "visibility": "participants"},
                                  pdf_upload())
    participant = make_user()
    make_calendar_registration(participant, event, status="confirmed")
    return Target({"event_id": event.id, "material_id": material.id}, owner=participant)


# --- growers: add n rows to a list page (the query-count test compares 10 with 40) -------------

GROWERS: dict = {}


def grower(name: str):
    def register(func):
        if name in GROWERS:
            raise RuntimeError(f"grower {name!r} registered twice")
        GROWERS[name] = func
        return func

    return register


def _rows(event_id: int, n: int, status: str) -> None:
    from app.registrations.models import Registration, RegistrationStatus

    organisation = Organisation(name=f"НКО {next(_numbers)}", kind=OrganisationKind.PATIENT_NGO,
                                region_code="RU-PNZ", approved=True)
    db.session.add(organisation)
    db.session.flush()
    trainees = make_trainees(n, organisation=organisation, prefix=f"g{next(_numbers)}-")
    db.session.add_all(Registration(event_id=event_id, user_id=t.id, status=RegistrationStatus(status),
                                    region_code=t.region_code, organisation_id=organisation.id,
                                    team_role=None) for t in trainees)
    db.session.commit()


@grower("events")
def _grow_events(world, target, n):
    organiser = new_organiser()
    for k in range(n):
        make_event(actor=organiser, title=f"Семинар {k}", days=2, capacity=10)


@grower("my_registrations")
def _grow_my_registrations(world, target, n):
    organiser = new_organiser()
    for k in range(n):
        event = make_event(actor=organiser, title=f"Вебинар {k}", kind="webinar")
        make_calendar_registration(world.trainee, event)


@grower("users")
def _grow_users(world, target, n):
    make_trainees(n, prefix=f"u{next(_numbers)}-")


@grower("organisations")
def _grow_organisations(world, target, n):
    db.session.add_all(Organisation(name=f"Общество {next(_numbers)}", kind=OrganisationKind.VOLUNTEER_BRANCH,
                                    region_code="RU-SAM", approved=k % 2 == 0) for k in range(n))
    db.session.commit()


@grower("programmes")
def _grow_programmes(world, target, n):
    organiser = new_organiser()
    for _ in range(n):
        new_programme(organiser)


@grower("registrations")
def _grow_registrations(world, target, n):
    _rows(target.values["event_id"], n, "confirmed")


@grower("applications")
def _grow_applications(world, target, n):
    _rows(target.values["event_id"], n, "pending")


@grower("session_registrations")
def _grow_session_registrations(world, target, n):
    _rows(target.values["event_id"], n, "confirmed")


@builder("reset_token")
def _reset_token(world):
    """A live single-use link and a used one (what a stranger or a second click brings)."""
    trainee = make_user()
    now = clock.now()
    live, used = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.session.add_all([
        PasswordResetToken(user_id=trainee.id, token_hash=hashlib.sha256(live.encode()).hexdigest(), created_at=now,
                           expires_at=now + timedelta(hours=1)),
        PasswordResetToken(user_id=trainee.id, token_hash=hashlib.sha256(used.encode()).hexdigest(), created_at=now,
                           expires_at=now + timedelta(hours=1), used_at=now),
    ])
    db.session.commit()
    return Target({"token": live}, owner=trainee, foreign_values={"token": used})


@builder("email_confirmation_token")
def _email_confirmation_token(world):
    """A live link of an unconfirmed account, and one of an account confirmed already (a second click)."""
    trainee, confirmed = make_user(), make_user()
    trainee.email_verified_at = None
    db.session.commit()
    used = verification.verification_token(confirmed)
    return Target({"token": verification.verification_token(trainee)}, owner=trainee, foreign_values={"token": used})


@builder("api_token")
def _api_token(world):
    trainee = make_user()
    accounts.create_api_token(trainee, "site")
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == trainee.id))
    return Target({"token_id": token_id}, owner=trainee)


@builder("outbox_message")
def _outbox_message(world):
    with unit_of_work():
        message = outbox.emit("notifications.mail", raw="", summary="gate")
    message.state = OutboxState.FAILED
    db.session.commit()
    return Target({"message_id": message.id})


@grower("outbox")
def _grow_outbox(world, target, n):
    with unit_of_work():
        for k in range(n):
            outbox.emit("notifications.mail", raw="", summary=f"gate {k}")



# --- quotas: a seminar that ended, its plan, one trainee's quota with a curator ---------------------

@dataclass
class QuotaSetup:
    organiser: object
    curator: object
    trainee: object
    event: object
    plan: object
    quota: object
    consultation: object


def quota_setup() -> QuotaSetup:
    organiser = new_organiser()
    curator = make_user(roles=(Role.CURATOR,))
    trainee = make_user()
    start = clock.now() - timedelta(days=10)
    organiser, event = programme_event(organiser, start=start, capacity=None, attendance_threshold=0)
    db.session.add(Registration(event_id=event.id, user_id=trainee.id, status=RegistrationStatus.CONFIRMED,
                                region_code=trainee.region_code))
    db.session.commit()
    today = clock.now().date()
    plan = quotas.save_plan(event, {"target": 20, "starts_on": today - timedelta(days=5),
                                    "deadline": today + timedelta(days=60), "behind_percent": 70,
                                    "formats": ["in_person", "phone"], "topics": "",
                                    "curators": [curator.id]}, organiser)
    quotas.spread_curators(plan, organiser)
    quota = db.session.scalars(select(ConsultationQuota).where(ConsultationQuota.plan_id == plan.id)).one()
    consultation = Consultation(quota_id=quota.id, held_on=today - timedelta(days=1), format="phone",
                                duration_minutes=30, client_type="patient", review_state=ReviewState.SUBMITTED)
    db.session.add(consultation)
    db.session.commit()
    return QuotaSetup(organiser, curator, trainee, event, plan, quota, consultation)


@builder("quota")
def _quota(world):
    setup = quota_setup()
    return Target({"quota_id": setup.quota.id}, owner=setup.trainee)


@builder("consultation")
def _consultation(world):
    setup = quota_setup()
    return Target({"quota_id": setup.quota.id, "consultation_id": setup.consultation.id}, owner=setup.trainee)


@builder("quota_event")
def _quota_event(world):
    setup = quota_setup()
    return Target({"event_id": setup.event.id}, owner=setup.organiser)


@builder("managed_quota")
def _managed_quota(world):
    setup = quota_setup()
    return Target({"quota_id": setup.quota.id}, owner=setup.organiser)


@builder("curated_quota")
def _curated_quota(world):
    setup = quota_setup()
    return Target({"quota_id": setup.quota.id}, owner=setup.curator)


@builder("curated_quota_consultation")
def _curated_quota_consultation(world):
    setup = quota_setup()
    return Target({"quota_id": setup.quota.id, "consultation_id": setup.consultation.id}, owner=setup.curator)


@builder("curated_consultation")
def _curated_consultation(world):
    setup = quota_setup()
    return Target({"consultation_id": setup.consultation.id}, owner=setup.curator)


@builder("quota_plan")
def _quota_plan(world):
    setup = quota_setup()
    return Target({"plan_id": setup.plan.id}, owner=setup.curator)


@builder("mentoring_session")
def _mentoring_session(world):
    setup = quota_setup()
    session = quotas.record_session(setup.plan, setup.curator, {
        "kind": "individual", "held_on": clock.now().date() - timedelta(days=1), "topic": "Первые шаги",
        "quota_ids": [setup.quota.id]})
    return Target({"session_id": session.id}, owner=setup.curator)



# --- certificates: one issued for a seminar that ended, and an issuance job ----------------------

@dataclass
class CertificateSetup:
    organiser: object
    holder: object
    event: object
    certificate: object


def certificate_setup() -> CertificateSetup:
    holder = make_user()
    organiser, event = programme_event(start=clock.now() - timedelta(days=10), capacity=None,
                                       attendance_threshold=0)
    db.session.add(Registration(event_id=event.id, user_id=holder.id, status=RegistrationStatus.CONFIRMED,
                                region_code=holder.region_code))
    db.session.commit()
    certificate = issuance.issue_one(event, holder, CertificateKind.PARTICIPATION, organiser,
                                     override_reason="gate")
    return CertificateSetup(organiser, holder, event, certificate)


@builder("certificate")
def _certificate(world):
    setup = certificate_setup()
    return Target({"serial": setup.certificate.serial}, owner=setup.holder)


@builder("event_certificate")
def _event_certificate(world):
    setup = certificate_setup()
    return Target({"event_id": setup.event.id, "serial": setup.certificate.serial}, owner=setup.organiser)


@builder("certificate_job")
def _certificate_job(world):
    setup = certificate_setup()
    job = certificate_jobs.create_job(setup.event, CertificateKind.PARTICIPATION, [setup.holder.id],
                                      setup.organiser, start=False)
    return Target({"event_id": setup.event.id, "job_id": job.id}, owner=setup.organiser)


@builder("status_list")
def _status_list(world):
    setup = certificate_setup()
    issuance.revoke(setup.certificate, setup.organiser, "выдан по ошибке")
    return Target({"number": 1})



# --- reports: a programme's indicator and a frozen snapshot -----------------------------------------

@builder("indicator")
def _indicator(world):
    organiser = new_organiser()
    programme = new_programme(organiser)
    indicator = report_indicators.create_indicator(programme, organiser, {
        "name": "Обучено консультантов", "plan": 30, "source": "trainees_trained"})
    return Target({"programme_id": programme.id, "indicator_id": indicator.id}, owner=organiser)


@builder("report_snapshot")
def _report_snapshot(world):
    organiser = new_organiser()
    programme = new_programme(organiser)
    snapshot = report_snapshots.freeze(programme, organiser, "gate")
    return Target({"programme_id": programme.id, "snapshot_id": snapshot.id, "fmt": "csv"}, owner=organiser)


@builder("manual_indicator")
def _manual_indicator(world):
    organiser = new_organiser()
    programme = new_programme(organiser)
    indicator = report_indicators.create_indicator(programme, organiser, {
        "name": "Посетители сайта", "plan": 50, "source": "manual"})
    return Target({"programme_id": programme.id, "indicator_id": indicator.id}, owner=organiser)


@builder("report_export")
def _report_export(world):
    organiser = new_organiser()
    return Target({"programme_id": new_programme(organiser).id, "fmt": "csv"}, owner=organiser)


@builder("analytical_report")
def _analytical_report(world):
    organiser = new_organiser()
    return Target({"programme_id": new_programme(organiser).id, "fmt": "docx"}, owner=organiser)


@builder("report_compare")
def _report_compare(world):
    organiser = new_organiser()
    programme = new_programme(organiser)
    snapshot = report_snapshots.freeze(programme, organiser, "gate")
    return Target({"programme_id": programme.id, "before": snapshot.id}, owner=organiser)
