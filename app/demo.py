"""Demo data that reads like the seed reports (`flask --app wsgi seed-demo`).

Everything goes through the areas' services, so the demo obeys the same rules as real use
(approval, one leader per region, two per organisation, trip team roles). Each object is
looked up by its natural key first (email, organisation name and region, programme title,
stage and plan-item number, event title), so running the command twice changes nothing.
Dates are computed from "next month" relative to clock.now().

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
from app.core.demo import Seeding, add_months
from app.errors import DomainError
from app.events import demo as events_demo
from app.materials import demo as materials_demo
from app.messaging import demo as messaging_demo
from app.programmes import demo as programmes_demo
from app.quotas import demo as quota_demo
from app.registrations import demo as registrations_demo
from app.reports import demo as reports_demo

SAMARA = ZoneInfo("Europe/Samara")


@dataclass
class Report:
    """What the run created; `created` stays empty on a second run."""

    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)


def _run(report: Report) -> Report:
    """Each area seeds its part, in the order the rules need (people, programme, events, registrations, then
    what follows from them)."""
    now = clock.now()
    seeding = Seeding(now=now, first_month=add_months(now.astimezone(SAMARA).date().replace(day=1), 1),
                      note=report.note)
    people = People(report.note)
    register = registrations_demo.register

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

    programme = programmes_demo.programme(seeding, organiser, [region for region, *_ in LEADERS])
    stage_ids = programmes_demo.stages(seeding, programme, organiser)
    linked = events_demo.kpd_events(seeding, programme, organiser)
    programmes_demo.plan(seeding, programme, organiser, stage_ids,
                         {number: [e.id for e in items] for number, items in linked.items()})

    seminar_1, seminar_2 = linked["1"][0], linked["5"][0]
    for leader in leaders:
        registrations_demo.approve(seeding, register(seeding, seminar_1, leader), organiser)
    second_curator = people.user(*SECOND_CURATOR, applicant, roles=(Role.CURATOR,))
    quota_demo.seed_quotas(seminar_1, organiser, [staff[Role.CURATOR], second_curator], leaders, report.note)
    messaging_demo.seed_message(seminar_1, organiser, report.note)
    for n, webinar in enumerate(linked["3"]):
        for leader in leaders[5 * n:5 * n + 20]:
            register(seeding, webinar, leader)
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
        for volunteer, role in team:
            register(seeding, past, volunteer, role)
    events_demo.trip_results(seeding, past, organiser)
    holders = certificate_demo.seed_certificates(past, organiser, report.note)
    for volunteer, role in team[:7]:
        register(seeding, upcoming, volunteer, role)

    registrations_demo.groups(seeding, people, organiser)
    training = events_demo.abroad(seeding, organiser)
    materials_demo.seed_training(training, organiser, report.note)
    for number, webinar in enumerate(linked["3"], start=1):
        materials_demo.seed_webinar(webinar, organiser, report.note, number)
    registrations_demo.selection_school(seeding, organiser, [leaders[0], colleagues[0], leaders[1]])
    reports_demo.seed(programme, organiser, [past, upcoming], now.date(), report.note)

    report.logins = [(role.value, email, PASSWORD) for role, email, *_ in LOGINS]
    report.logins.append((Role.TRAINEE.value, TRAINEE_EMAIL, PASSWORD))
    report.logins.append(("facilitator", registrations_demo.GROUPS[0][3][0], PASSWORD))  # leads Malko Tarnovo
    if any(c.user_id == team[0][0].id for c in holders):
        report.logins.append(("holder", team[0][0].email, PASSWORD))  # has a valid certificate
    return report


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
    for _role, email, password in report.logins:
        click.echo(f"{email} {password}")
