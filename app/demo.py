"""Demo data that reads like the seed reports (`flask --app wsgi seed-demo`).

Everything goes through the areas' services, so the demo obeys the same rules as real use
(approval, one leader per region, two per organisation, trip team roles). Each object is
looked up by its natural key first (email, organisation name and region, programme title,
stage and plan-item number, event title), so running the command twice changes nothing.

The timeline (app/core/demo.py): the KPD NKO programme began three months before the current month, so
today it is mid-way through stage 1 — the seminar was held (29 of the 30 approved leaders came; the 30th
cancelled, ill, so has no quota and no certificate), the quota window opened the first day of the next month and
consultations are under way, two of the three webinars are held, the round table and stage 2 are ahead.
The past is recorded with the clock frozen at the moment it happened (applications before the seminar,
check-ins at each session, consultations on the day they were held, reviews a day or two later).

Seeds: 001 — the KPD NKO programme and its calendar plan; 004 — #ДоброВСело trips of the
Smolensk volunteer medics; 002 — Bulgarian self-help groups (health mediators, Malko Tarnovo
and Burgas); 003 — certified trainings for medical staff in the Polish–Lithuanian project.
"""
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext

from app import clock
from app.accounts import consent
from app.accounts.demo import (
    APPLICANT,
    COLLEAGUES,
    LEADERS,
    LOGINS,
    MEDICS,
    PASSWORD,
    SECOND_CURATOR,
    SMOLENSK_BRANCH,
    SMOLENSK_UNIVERSITY,
    TRAINEE_EMAIL,
    VOLUNTEERS,
    People,
)
from app.accounts.models import OrganisationKind, Role
from app.certificates import demo as certificate_demo
from app.core.demo import Seeding, at_moment, first_month_for
from app.errors import DomainError
from app.events import demo as events_demo
from app.events.forms import LANGUAGES
from app.materials import demo as materials_demo
from app.messaging import demo as messaging_demo
from app.messaging import services as messaging
from app.programmes import demo as programmes_demo
from app.quotas import demo as quota_demo
from app.registrations import demo as registrations_demo
from app.registrations import services as registrations
from app.registrations.models import RegistrationStatus
from app.reports import demo as reports_demo

SAMARA = ZoneInfo("Europe/Samara")
# The leader who was approved for the first seminar but fell ill and cancelled two days before it (RU-CU): no
# attendance, so no quota, no certificate and no consultant's webinars; the other 29 attended every session.
NO_SHOW = len(LEADERS) - 1


@dataclass
class Report:
    """What the run created; `created` stays empty on a second run. `logins`: (role, email, password, locale)."""

    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)


def _run(report: Report) -> Report:
    """Each area seeds its part, in the order the rules need (people, programme, events, registrations, then
    what follows from them), the past with the clock frozen at the moment it happened."""
    now = clock.now()
    seeding = Seeding(now=now, first_month=first_month_for(now.astimezone(SAMARA).date()), note=report.note)
    people = People(report.note)
    register = registrations_demo.register

    with clock.frozen_at(at_moment(seeding.on(0, 3), 10, "Europe/Samara")):  # the programme is set up
        applicant = people.organisation(*APPLICANT)
        staff = {}
        for role, email, full_name, _org in LOGINS:
            staff[role] = people.user(email, full_name, applicant, roles=(role,), password=PASSWORD)
        organiser = staff[Role.ORGANISER]
        messaging_demo.seed_preferences(organiser)
        for person in staff.values():  # staff agreed themselves; the demo trainee is asked on /me
            consent.confirm_consent(person)
        leaders = []
        for region, name, full_name, email in LEADERS:
            organisation = people.organisation(name, region)
            password = PASSWORD if email == TRAINEE_EMAIL else None
            leaders.append(people.user(email, full_name, organisation, password=password))
        colleagues = [people.user(email, full_name, leaders[n].organisation)
                      for n, (full_name, email) in enumerate(COLLEAGUES)]
        second_curator = people.user(*SECOND_CURATOR, applicant, roles=(Role.CURATOR,))
        programme = programmes_demo.programme(seeding, organiser, [region for region, *_ in LEADERS])
        stage_ids = programmes_demo.stages(seeding, programme, organiser)
        linked = events_demo.kpd_events(seeding, programme, organiser)
        programmes_demo.plan(seeding, programme, organiser, stage_ids,
                             {number: [e.id for e in items] for number, items in linked.items()})

    seminar_1, seminar_2 = linked["1"][0], linked["5"][0]
    _first_seminar(seeding, seminar_1, organiser, leaders)
    attendees = [leader for n, leader in enumerate(leaders) if n != NO_SHOW]
    quota_demo.seed_quotas(seeding, seminar_1, organiser, [staff[Role.CURATOR], second_curator], attendees)
    certificate_demo.seed_certificates(seminar_1, organiser, report.note)
    for n, webinar in enumerate(linked["3"]):
        _webinar(seeding, webinar, organiser, attendees[5 * n:5 * n + 20])
    for leader in leaders[:24]:
        register(seeding, linked["4"][0], leader)
    asked = registrations_demo.seminar_questions(seeding, seminar_2)
    for n, (leader, colleague) in enumerate(zip(leaders, colleagues, strict=False)):
        register(seeding, seminar_2, leader, answers=registrations_demo.answers(asked, 2 * n))
        register(seeding, seminar_2, colleague, answers=registrations_demo.answers(asked, 2 * n + 1))

    branch = people.organisation(*SMOLENSK_BRANCH, kind=OrganisationKind.VOLUNTEER_BRANCH)
    university = people.organisation(*SMOLENSK_UNIVERSITY, kind=OrganisationKind.UNIVERSITY)
    homes = {SMOLENSK_BRANCH: branch, SMOLENSK_UNIVERSITY: university}
    team = [(people.user(email, name, homes[home], password=PASSWORD if n == 0 else None), role)
            for n, (name, email, role, home) in enumerate(VOLUNTEERS)]
    past, upcoming = events_demo.trips(seeding, organiser)
    with clock.frozen_at(past.starts_at - timedelta(days=10)):
        travelled = [register(seeding, past, volunteer, role) for volunteer, role in team]
    with clock.frozen_at(past.starts_at + timedelta(minutes=10)):
        registrations_demo.check_in(seeding, past.sessions[0], travelled, organiser)
    with clock.frozen_at(past.ends_at + timedelta(hours=2)):
        events_demo.trip_results(seeding, past, organiser)
    holders = certificate_demo.seed_certificates(past, organiser, report.note)
    certificate_demo.correct_trip_certificates(past, organiser, report.note)
    for volunteer, role in team[:7]:
        register(seeding, upcoming, volunteer, role)

    mediators = registrations_demo.groups(seeding, people, organiser)
    training = events_demo.abroad(seeding, organiser)
    medics = [people.user(email, name, people.organisation(*hospital, kind=OrganisationKind.HOSPITAL),
                          password=PASSWORD if email in (MEDICS[0][1], MEDICS[4][1]) else None, locale=locale)
              for name, email, locale, hospital in MEDICS]
    for medic in medics:
        register(seeding, training, medic)
    materials_demo.seed_training(training, organiser, report.note)
    for number, webinar in enumerate(linked["3"], start=1):
        materials_demo.seed_webinar(webinar, organiser, report.note, number)
    registrations_demo.selection_school(seeding, organiser, [leaders[0], colleagues[0], leaders[1]])
    reports_demo.seed(seeding, programme, organiser, [past, upcoming], report.note)

    report.logins = [(role.value, email, PASSWORD, "ru") for role, email, *_ in LOGINS]
    report.logins.append((Role.TRAINEE.value, TRAINEE_EMAIL, PASSWORD, leaders[0].locale))
    report.logins.append(("facilitator", mediators[0].email, PASSWORD, mediators[0].locale))  # leads Malko Tarnovo
    if any(c.user_id == team[0][0].id for c in holders):
        report.logins.append(("holder", team[0][0].email, PASSWORD, team[0][0].locale))  # has a valid certificate
    for medic in (medics[0], medics[4]):  # a Polish and a Lithuanian participant of the certified training
        report.logins.append((Role.TRAINEE.value, medic.email, PASSWORD, medic.locale))
    return report


def _first_seminar(seeding: Seeding, seminar, organiser, leaders) -> None:
    """Thirty leaders applied and were approved the first days of the seminar's month (the organiser's daily
    digest of applications went out that evening); the organiser wrote to them before it; one cancelled two
    days before, ill; the other 29 came to every session."""
    tz = seminar.timezone
    with clock.frozen_at(at_moment(seeding.on(1, 2), 11, tz)):
        applications = [registrations_demo.register(seeding, seminar, leader) for leader in leaders]
    with clock.frozen_at(at_moment(seeding.on(1, 2), 21, tz)):
        messaging.send_digests()
    with clock.frozen_at(at_moment(seeding.on(1, 3), 10, tz)):
        for registration in applications:
            registrations_demo.approve(seeding, registration, organiser)
    with clock.frozen_at(seminar.starts_at - timedelta(days=4)):
        messaging_demo.seed_message(seminar, organiser, seeding.note)
    with clock.frozen_at(seminar.starts_at - timedelta(days=2)):
        if applications[NO_SHOW].status == RegistrationStatus.CONFIRMED:
            registrations.cancel(applications[NO_SHOW], leaders[NO_SHOW])
            seeding.note(f"cancellation {applications[NO_SHOW].id}")
    came = [registration for n, registration in enumerate(applications) if n != NO_SHOW]
    for session in seminar.sessions:
        with clock.frozen_at(session.starts_at + timedelta(minutes=10)):
            registrations_demo.check_in(seeding, session, came, organiser)


def _webinar(seeding: Seeding, webinar, organiser, leaders) -> None:
    """Twenty leaders signed up three days ahead; at a webinar already held, most of them joined."""
    session = webinar.sessions[0]
    with clock.frozen_at(min(session.starts_at - timedelta(days=3), seeding.now)):
        signed_up = [registrations_demo.register(seeding, webinar, leader) for leader in leaders]
    if session.ends_at > seeding.now:
        return
    with clock.frozen_at(session.starts_at + timedelta(minutes=5)):
        registrations_demo.check_in(seeding, session, [r for n, r in enumerate(signed_up) if n % 6 != 5], organiser)


def seed_demo() -> Report:
    """Load the demo (idempotent). Returns what was created and the demo logins."""
    return _run(Report())


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo data (the seed reports' programmes, events and people); safe to run twice."""
    try:
        report = seed_demo()
    except DomainError as error:
        details = "; ".join(f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in error.fields.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from error
    if report.created:
        click.echo(f"Demo data loaded: {len(report.created)} objects created.")
    else:
        click.echo("Demo data already present: nothing changed.")
    click.echo("Demo logins, one 'email password' pair per line:")
    for _role, email, password, _locale in report.logins:
        click.echo(f"{email} {password}")
    click.echo("Who each login is and the language they use (their saved locale):")
    names = dict(LANGUAGES)
    for role, email, _password, locale in report.logins:
        click.echo(f"  {email}: {role}, {names.get(locale, locale)} ({locale})")
