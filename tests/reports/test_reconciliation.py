"""Numbers a funder can trust: every surface shows the same figures, and each equals an independent SQL count.

Hypothesis builds random programmes — events of every kind and state inside and outside the programme's
period, sessions (some cancelled), registrations in every state with check-ins, trip results, quota plans
with individual targets and consultations in every review state, certificates (some revoked), people
who deleted their account — and checks, for one moment:

- each computed fact of the report, its `outside_period`, its `between_stages` and each stage's fact
  against SQL written here, from the definitions on the pages (not from app/reports/sources.py);
- the same rows on the report page, the stage pages, the CSV and XLSX exports, a frozen snapshot (its
  data and its page), /api/v1/programmes/<id>/report and the dashboard;
- each quota plan's totals on the cohort page, in /api/v1/events/<id>/quotas and on the curator page,
  against SQL; and the reconciliation the issue asked for: the report's accepted consultations, in the
  period plus outside it, are the cohorts' "all accepted consultations" added up.

The PDF is rendered once, for a fixed programme (a render costs about a second).
"""
import csv
import io
import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import Date, bindparam, text

from app import cache, clock
from app.accounts import services as accounts
from app.accounts.models import Organisation, OrganisationKind, Role
from app.certificates.models import CertificateKind
from app.database import UTCDateTime, unit_of_work
from app.events.models import Event, EventKind, EventStatus, TripResult, TripService
from app.extensions import db
from app.privacy import services as privacy
from app.programmes.models import Programme, Stage
from app.quotas.models import ClientType, Consultation, ConsultationFormat, ConsultationQuota, QuotaPlan, ReviewState
from app.registrations.models import RegistrationStatus
from app.reports import report, snapshots, sources
from app.reports.models import Indicator, IndicatorStagePlan, ManualFact
from tests.reports.conftest import event_row, register
from tests.reports.test_outcome_sources import certificate, quota

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
BASE = date(2026, 9, 1)
KEYS = sorted(sources.SOURCES)
STAGE_FILTERED = "consultations_accepted in stage 1"
MANUAL = "typed by hand"
_names = itertools.count(1)

# --- the independent counts -------------------------------------------------------------------------

OK = "e.programme_id = :pid AND e.status = 'published'"
ENDED = "e.ends_at <= :now"
HELD_SESSIONS = "(SELECT COUNT(*) FROM event_sessions s0 WHERE s0.event_id = e.id AND s0.starts_at <= :now " \
                "AND s0.cancelled_at IS NULL)"
SQL = {
    "events_held": ("SELECT COUNT(*) FROM events e WHERE {ok} AND {ended} AND {when}", "e.starts_on"),
    "sessions_held": ("SELECT COUNT(*) FROM event_sessions s JOIN events e ON e.id = s.event_id WHERE {ok} "
                      "AND s.ends_at <= :now AND s.cancelled_at IS NULL AND {when}", "e.starts_on"),
    "participants": ("SELECT COUNT(DISTINCT r.user_id) FROM registrations r JOIN events e ON e.id = r.event_id "
                     "WHERE {ok} AND {ended} AND r.status = 'confirmed' AND {when}", "e.starts_on"),
    "regions_covered": ("SELECT COUNT(DISTINCT r.region_code) FROM registrations r JOIN events e ON e.id = r.event_id "
                        "WHERE {ok} AND {ended} AND r.status = 'confirmed' AND r.region_code IS NOT NULL AND {when}",
                        "e.starts_on"),
    "organisations_covered": ("SELECT COUNT(DISTINCT r.organisation_id) FROM registrations r JOIN events e "
                              "ON e.id = r.event_id WHERE {ok} AND {ended} AND r.status = 'confirmed' "
                              "AND r.organisation_id IS NOT NULL AND {when}", "e.starts_on"),
    "trainees_trained": ("SELECT COUNT(DISTINCT r.user_id) FROM registrations r JOIN events e ON e.id = r.event_id "
                         "WHERE {ok} AND {ended} AND r.status = 'confirmed' AND {when} AND " + HELD_SESSIONS + " > 0 "
                         "AND 100 * (SELECT COUNT(*) FROM check_ins c JOIN event_sessions s1 ON s1.id = c.session_id "
                         "WHERE c.registration_id = r.id AND s1.starts_at <= :now AND s1.cancelled_at IS NULL) "
                         ">= e.attendance_threshold * " + HELD_SESSIONS, "e.starts_on"),
    "group_meetings_held": ("SELECT COUNT(*) FROM event_sessions s JOIN events e ON e.id = s.event_id WHERE {ok} "
                            "AND e.kind = 'self_help_group' AND s.ends_at <= :now AND s.cancelled_at IS NULL "
                            "AND {when}", "e.starts_on"),
    "group_meeting_attendance": ("SELECT COALESCE(SUM(COALESCE(s.guests, 0) + (SELECT COUNT(*) FROM check_ins c "
                                 "WHERE c.session_id = s.id)), 0) FROM event_sessions s JOIN events e "
                                 "ON e.id = s.event_id WHERE {ok} AND e.kind = 'self_help_group' AND s.ends_at <= :now "
                                 "AND s.cancelled_at IS NULL AND {when}", "e.starts_on"),
    "people_served": ("SELECT COALESCE(SUM(t.people_served), 0) FROM trip_results t JOIN events e ON e.id = t.event_id "
                      "WHERE {ok} AND e.kind = 'outreach_trip' AND {ended} AND {when}", "e.starts_on"),
    "registrations": ("SELECT COUNT(*) FROM registrations r JOIN events e ON e.id = r.event_id WHERE {ok} AND {when}",
                      "e.starts_on"),
    "waitlist_conversions": ("SELECT COUNT(*) FROM registrations r JOIN events e ON e.id = r.event_id WHERE {ok} "
                             "AND {when} AND EXISTS (SELECT 1 FROM registration_history h WHERE h.registration_id = r.id "
                             "AND h.from_status = 'offered' AND h.to_status = 'confirmed')", "e.starts_on"),
    "consultations_accepted": ("SELECT COUNT(*) FROM consultations c JOIN consultation_quotas q ON q.id = c.quota_id "
                               "JOIN quota_plans p ON p.id = q.plan_id JOIN events e ON e.id = p.event_id "
                               "WHERE {ok} AND c.review_state = 'accepted' AND {when}", "c.held_on"),
    # met on the day of the target-th accepted consultation (ordered by day, then id)
    "quotas_met": ("SELECT COUNT(DISTINCT q.user_id) FROM consultation_quotas q JOIN quota_plans p ON p.id = q.plan_id "
                   "JOIN events e ON e.id = p.event_id JOIN consultations c ON c.quota_id = q.id "
                   "AND c.review_state = 'accepted' WHERE {ok} AND {when} AND (SELECT COUNT(*) FROM consultations c2 "
                   "WHERE c2.quota_id = q.id AND c2.review_state = 'accepted' AND (c2.held_on < c.held_on OR "
                   "(c2.held_on = c.held_on AND c2.id <= c.id))) = q.target", "c.held_on"),
    "certificates_issued": ("SELECT COUNT(*) FROM certificates x JOIN events e ON e.id = x.event_id WHERE {ok} "
                            "AND x.revoked_at IS NULL AND {when}", "e.starts_on"),
}
assert set(SQL) == set(KEYS), "a new source needs its independent count here"

COHORT_SQL = {
    "trainees": "SELECT COUNT(*) FROM consultation_quotas q WHERE q.plan_id = :plan",
    "accepted": "SELECT COUNT(*) FROM consultations c JOIN consultation_quotas q ON q.id = c.quota_id "
                "WHERE q.plan_id = :plan AND c.review_state = 'accepted'",
    "accepted_to_target": "SELECT COALESCE(SUM(CASE WHEN n.k < q.target THEN n.k ELSE q.target END), 0) "
                          "FROM consultation_quotas q JOIN (SELECT q2.id AS id, (SELECT COUNT(*) FROM consultations c "
                          "WHERE c.quota_id = q2.id AND c.review_state = 'accepted') AS k FROM consultation_quotas q2) n "
                          "ON n.id = q.id WHERE q.plan_id = :plan",
    "targets": "SELECT COALESCE(SUM(q.target), 0) FROM consultation_quotas q WHERE q.plan_id = :plan",
    "submitted": "SELECT COUNT(*) FROM consultations c JOIN consultation_quotas q ON q.id = c.quota_id "
                 "WHERE q.plan_id = :plan AND c.review_state = 'submitted'",
    "returned": "SELECT COUNT(*) FROM consultations c JOIN consultation_quotas q ON q.id = c.quota_id "
                "WHERE q.plan_id = :plan AND c.review_state = 'returned'",
}

TYPES = {"now": UTCDateTime(), "ps": Date(), "pe": Date(), "s1s": Date(), "s1e": Date(), "s2s": Date(),
         "s2e": Date()}


def _scalar(sql: str, **params) -> int:
    used = {k: v for k, v in params.items() if re.search(rf":{k}\b", sql)}
    statement = text(sql).bindparams(*[bindparam(k, type_=TYPES[k]) for k in used if k in TYPES])
    return int(db.session.execute(statement, used).scalar() or 0)


def _between(day: str, lo: str, hi: str) -> str:
    return f"({day} >= :{lo} AND {day} <= :{hi})"


def counted(key: str, programme: Programme, where: str) -> int:
    """The independent count of `key` for the programme: `where` is inside, outside, between or s1/s2."""
    template, day = SQL[key]
    period = _between(day, "ps", "pe")
    stages = [_between(day, f"s{s.number}s", f"s{s.number}e") for s in programme.stages]
    when = {"inside": period, "outside": f"NOT {period}",
            "between": " AND ".join([period] + [f"NOT {s}" for s in stages]),
            "s1": stages[0] if stages else "1 = 0", "s2": stages[1] if len(stages) > 1 else "1 = 0"}[where]
    params = {"pid": programme.id, "now": NOW, "ps": programme.starts_on, "pe": programme.ends_on}
    for stage in programme.stages:
        params[f"s{stage.number}s"], params[f"s{stage.number}e"] = stage.starts_on, stage.ends_on
    return _scalar(template.format(ok=OK, ended=ENDED, when=when), **params)


# --- random programmes ----------------------------------------------------------------------------

KINDS = [EventKind.SEMINAR, EventKind.WEBINAR, EventKind.ROUND_TABLE, EventKind.SELF_HELP_GROUP,
         EventKind.OUTREACH_TRIP]
STATUSES = [EventStatus.PUBLISHED] * 4 + [EventStatus.DRAFT, EventStatus.CANCELLED]
REGISTRATION = [None, RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                RegistrationStatus.PENDING,
                RegistrationStatus.CANCELLED, RegistrationStatus.WAITLISTED]
REVIEW = [ReviewState.ACCEPTED, ReviewState.ACCEPTED, ReviewState.SUBMITTED, ReviewState.RETURNED]


@st.composite
def worlds(draw):
    start = draw(st.integers(0, 200))
    end = start + draw(st.integers(60, 420))
    cuts = sorted(draw(st.lists(st.integers(0, end - start - 1), min_size=3, max_size=3)))
    stage_count = draw(st.integers(0, 2))
    people = draw(st.lists(st.tuples(st.sampled_from(["RU-SAM", "RU-PNZ", "RU-SMO", None]),
                                     st.sampled_from([0, 1, None]), st.booleans()), min_size=2, max_size=6))
    event = st.fixed_dictionaries({
        "kind": st.sampled_from(KINDS), "status": st.sampled_from(STATUSES), "ours": st.sampled_from([1, 1, 1, 0]),
        "day": st.integers(0, 515), "days": st.integers(1, 3), "threshold": st.sampled_from([50, 75, 100]),
        "cancelled": st.lists(st.booleans(), min_size=3, max_size=3), "guests": st.integers(0, 9),
        "registrations": st.lists(st.tuples(st.sampled_from(REGISTRATION), st.integers(0, 3), st.booleans(),
                                            st.sampled_from([None, None, "participation", "completion"]),
                                            st.booleans()),
                                  min_size=len(people), max_size=len(people)),
        "results": st.lists(st.tuples(st.sampled_from(list(TripService)), st.integers(0, 80)), max_size=3,
                            unique_by=lambda r: r[0]),
        "plan": st.none() | st.fixed_dictionaries({
            "target": st.integers(1, 4),
            "quotas": st.lists(st.none() | st.tuples(
                st.integers(1, 5), st.lists(st.tuples(st.integers(0, 515), st.sampled_from(REVIEW)), max_size=6)),
                min_size=len(people), max_size=len(people))}),
    })
    return {"period": (start, end), "stages": stage_count, "cuts": cuts, "people": people,
            "events": draw(st.lists(event, min_size=2, max_size=5)),
            "plans": draw(st.lists(st.integers(0, 40), min_size=3 * len(KEYS), max_size=3 * len(KEYS)))}


def _day(offset: int) -> date:
    return BASE + timedelta(days=offset)


def _empty_database() -> None:
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    db.session.expunge_all()
    for region in cache.REGIONS:
        region.clear()


def build(world: dict) -> dict:
    start, end = world["period"]
    programme = Programme(title=f"Программа {next(_names)}", starts_on=_day(start), ends_on=_day(end),
                          region_codes=[])
    other = Programme(title=f"Чужая программа {next(_names)}", starts_on=_day(0), ends_on=_day(600), region_codes=[])
    db.session.add_all([programme, other])
    db.session.flush()
    a, b, c = world["cuts"]
    spans = [(a, b), (c + 1, end - start)] if world["stages"] == 2 else [(a, end - start)]
    for number, (lo, hi) in enumerate(spans[:world["stages"]], start=1):
        db.session.add(Stage(programme_id=programme.id, number=number, title=f"Этап {number}",
                             starts_on=_day(start + lo), ends_on=_day(start + hi)))
    organisations = [Organisation(name=f"НКО {next(_names)}", kind=OrganisationKind.PATIENT_NGO, region_code=code,
                                  approved=True) for code in ("RU-SAM", "RU-PNZ")]
    db.session.add_all(organisations)
    db.session.flush()
    organiser = accounts.build_user(email=f"organiser{next(_names)}@example.org", password="password123",
                                    full_name="Ольга Миронова", roles=(Role.ORGANISER,))
    curator = accounts.build_user(email=f"curator{next(_names)}@example.org", password="password123",
                                  full_name="Ирина Куратова", roles=(Role.CURATOR,))
    people = [accounts.build_user(email=f"p{next(_names)}@example.org", password=None, full_name=f"Участник {n}",
                                  region_code=region, organisation_id=organisations[org].id if org is not None else None)
              for n, (region, org, _gone) in enumerate(world["people"], start=1)]
    programme.organisers = [organiser]
    plans = []
    for spec in world["events"]:
        event = event_row(programme if spec["ours"] else other, spec["kind"], f"Событие {next(_names)}",
                          _day(spec["day"]), days=spec["days"], status=spec["status"], threshold=spec["threshold"])
        for session, cancelled in zip(event.sessions, spec["cancelled"], strict=False):
            session.cancelled_at = NOW - timedelta(days=400) if cancelled else None
            session.guests = spec["guests"] if spec["kind"] == EventKind.SELF_HELP_GROUP else None
        for person, (status, checked_in, converted, kind, revoked) in zip(people, spec["registrations"], strict=True):
            if status is None:
                continue
            register(event, person, status=status, checked_in=min(checked_in, spec["days"]),
                     converted=converted and status == RegistrationStatus.CONFIRMED)
            if kind and status == RegistrationStatus.CONFIRMED:
                certificate(event, person, CertificateKind(kind), revoked=revoked)
        if spec["kind"] == EventKind.OUTREACH_TRIP:
            db.session.add_all([TripResult(event_id=event.id, service=service, people_served=n)
                                for service, n in spec["results"]])
        if spec["plan"] is not None:
            plan = QuotaPlan(event_id=event.id, target=spec["plan"]["target"], starts_on=_day(spec["day"]),
                             deadline=_day(spec["day"] + 90))
            db.session.add(plan)
            db.session.flush()
            plans.append(plan)
            for person, quota in zip(people, spec["plan"]["quotas"], strict=True):
                if quota is None:
                    continue
                target, held = quota
                row = ConsultationQuota(plan_id=plan.id, user_id=person.id, target=target, curator_id=curator.id,
                                        deadline=plan.deadline)
                db.session.add(row)
                db.session.flush()
                db.session.add_all([Consultation(quota_id=row.id, held_on=_day(day), format=ConsultationFormat.PHONE,
                                                 duration_minutes=30, client_type=ClientType.PATIENT,
                                                 review_state=state) for day, state in held])
    db.session.commit()
    for person, (_region, _org, gone) in zip(people, world["people"], strict=True):
        if gone:  # the account is deleted: the row stays, anonymised, and keeps counting
            with unit_of_work():
                privacy._anonymise(person)
    programme = db.session.get(Programme, programme.id)
    plan_numbers = iter(world["plans"])
    # Indicator rows as the indicators service makes them (its validation is tested in test_report.py).
    rows = [Indicator(name=key, plan=next(plan_numbers), source=key, filters={},
                      stage_plans=[IndicatorStagePlan(stage_id=s.id, plan=next(plan_numbers)) for s in programme.stages])
            for key in KEYS]
    if programme.stages:
        rows.append(Indicator(name=STAGE_FILTERED, plan=10, source="consultations_accepted",
                              filters={"stage_id": programme.stages[0].id}))
    rows.append(Indicator(name=MANUAL, plan=10, source="manual", filters={}, manual_facts=[ManualFact(value=7)]))
    for position, row in enumerate(rows, start=1):
        row.programme_id, row.position = programme.id, position
    db.session.add_all(rows)
    db.session.commit()
    return {"programme": programme, "organiser": organiser, "curator": curator, "plans": plans}


# --- reading the surfaces ---------------------------------------------------------------------------

def _classed(element, name: str) -> list:
    return element.xpath(f'.//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]')


def _number(value: str) -> int | None:
    value = re.sub(r"[\s\u00a0\u202f%]", "", value)
    return None if value in ("", "—") else int(value)


def page_rows(page: str) -> list[tuple]:
    """(name, plan, fact, percent, outside, between) of the report table; what is not shown is 0."""
    tree = lxml_html.fromstring(page)
    rows = []
    for tr in tree.xpath('//table[contains(@class, "report-table")]/tbody/tr'):
        cells = tr.xpath("./td")
        if len(cells) < 6:
            continue
        name = tr.xpath("./th")[0].text.strip()
        outside = _classed(cells[2], "report-outside")
        between = _classed(cells[2], "report-between")
        rows.append((name, _number(cells[1].text_content()), _number(_classed(cells[2], "report-fact")[0].text_content()),
                     _number(cells[3].text_content()), int(outside[0].get("data-value")) if outside else 0,
                     int(between[0].get("data-value")) if between else 0))
    return rows


def expected_rows(rows: list[dict]) -> list[tuple]:
    return [(r["name"], r["plan"], r["fact"], r["percent"], r.get("outside_period") or 0, r.get("between_stages") or 0)
            for r in rows]


def exact(rows: list[dict]) -> list[tuple]:
    return [(r["name"], r["plan"], r["fact"], r["percent"], r.get("outside_period"), r.get("between_stages"))
            for r in rows]


def _cell(value: str):
    return None if value == "" else (int(value) if re.fullmatch(r"-?\d+", value) else value)


# --- the test -------------------------------------------------------------------------------------

@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"email": user.email, "password": "password123"})
        assert response.status_code == 302
    return sign_in


def check_report_against_sql(data: dict, programme: Programme) -> None:
    rows = {r["name"]: r for r in data["indicators"]}
    stage_rows = {s["number"]: {r["name"]: r for r in s["indicators"]} for s in data["stages"]}
    for key in KEYS:
        row = rows[key]
        assert row["fact"] == counted(key, programme, "inside"), key
        assert row["outside_period"] == counted(key, programme, "outside"), key
        assert row["between_stages"] == (counted(key, programme, "between") if programme.stages else None), key
        assert row["percent"] == (round(100 * row["fact"] / row["plan"]) if row["plan"] else None), key
        for stage in programme.stages:
            assert stage_rows[stage.number][key]["fact"] == counted(key, programme, f"s{stage.number}"), (key, stage)
    if programme.stages:
        row = rows[STAGE_FILTERED]
        first = counted("consultations_accepted", programme, "s1")
        assert (row["fact"], row["outside_period"], row["between_stages"]) == (
            first, counted("consultations_accepted", programme, "outside"), 0)
        assert [stage_rows[s.number][STAGE_FILTERED]["fact"] for s in programme.stages] == \
            [first] + [0] * (len(programme.stages) - 1)
    assert (rows[MANUAL]["fact"], rows[MANUAL]["outside_period"]) == (7, None)


def check_surfaces(client, data: dict, programme: Programme, token: str) -> None:
    base = f"/manage/programmes/{programme.id}/report"
    assert page_rows(client.get(base).get_data(as_text=True)) == expected_rows(data["indicators"])
    for stage in data["stages"]:
        page = client.get(f"{base}/stages/{stage['id']}").get_data(as_text=True)
        assert page_rows(page) == expected_rows(stage["indicators"])
    every = [(None, r) for r in data["indicators"]] + [(s["number"], r) for s in data["stages"] for r in s["indicators"]]
    table = list(csv.reader(io.StringIO(client.get(f"{base}.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [[_cell(line[i]) for i in (0, 1, 3, 4, 5, 8, 9)] for line in table[1:]] == [
        [stage, r["name"], r["plan"], r["fact"], r["percent"], r.get("outside_period"), r.get("between_stages")]
        for stage, r in every]
    workbook = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").data))
    sheets = [workbook.worksheets[0]] + workbook.worksheets[1:1 + len(data["stages"])]
    for sheet, rows in zip(sheets, [data["indicators"]] + [s["indicators"] for s in data["stages"]], strict=True):
        found = [(line[0], line[2], line[3], None if line[4] is None else round(line[4] * 100), line[7], line[8])
                 for line in sheet.iter_rows(min_row=2, values_only=True)]
        assert found == exact(rows)
    answer = client.get(f"/api/v1/programmes/{programme.id}/report", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert exact(answer.json["indicators"]) == exact(data["indicators"])
    assert [exact(s["indicators"]) for s in answer.json["stages"]] == [exact(s["indicators"]) for s in data["stages"]]


def check_snapshot(client, data: dict, programme: Programme, organiser) -> None:
    frozen = snapshots.freeze(programme, organiser, "Отчёт фонду")
    assert frozen.data["indicators"] == data["indicators"] and frozen.data["stages"] == data["stages"]
    page = client.get(f"/manage/programmes/{programme.id}/report/snapshots/{frozen.id}").get_data(as_text=True)
    assert page_rows(page) == expected_rows(data["indicators"])


def check_dashboard(client, data: dict, programme: Programme) -> None:
    tree = lxml_html.fromstring(client.get("/manage").get_data(as_text=True))
    row = next(tr for tr in tree.xpath('//h2[@id="programmes"]/following-sibling::div//table/tbody/tr')
               if tr.xpath("./th")[0].text_content().strip() == programme.title)
    met, total = map(int, re.findall(r"\d+", row.xpath("./td")[1].text_content()))
    assert (met, total) == (sum(r["status"] == "met" for r in data["indicators"]), len(data["indicators"]))
    shares = [min(r["percent"], 100) for r in data["indicators"] if r["percent"] is not None]
    shown = _classed(row, "progress-bar")
    assert (_number(shown[0].text_content()) if shown else None) == (
        round(sum(shares) / len(shares)) if shares else None)


def check_cohorts(client, built: dict, token: str, data: dict, signed_in) -> None:
    programme, all_accepted = built["programme"], 0
    for plan in (p for p in built["plans"] if db.session.get(Event, p.event_id).programme_id == programme.id):
        expected = {key: _scalar(sql, plan=plan.id) for key, sql in COHORT_SQL.items()}
        page = client.get(f"/manage/events/{plan.event_id}/quotas").get_data(as_text=True)
        shown = {key: int(value) for key, value in re.findall(r'data-figure="(\w+)">(\d+)<', page)}
        assert shown == expected
        answer = client.get(f"/api/v1/events/{plan.event_id}/quotas", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        totals = answer.json["totals"]
        assert {key: totals[key] for key in expected} == expected
        assert sum(item["accepted"] for item in answer.json["items"]) == expected["accepted"]
        if db.session.get(Event, plan.event_id).status == EventStatus.PUBLISHED:
            all_accepted += expected["accepted"]
    # The reconciliation: the report's accepted consultations, in the period and outside it, are the cohorts' sum.
    row = next(r for r in data["indicators"] if r["name"] == "consultations_accepted")
    assert row["fact"] + row["outside_period"] == all_accepted
    signed_in(built["curator"])
    page = client.get("/manage/curator").get_data(as_text=True)
    pairs = sorted((int(a), int(t)) for a, t in re.findall(r"</svg> (\d+) \S+ (\d+)</td>", page))
    expected_pairs = sorted(tuple(row) for row in db.session.execute(text(
        "SELECT (SELECT COUNT(*) FROM consultations c WHERE c.quota_id = q.id AND c.review_state = 'accepted'), "
        "q.target FROM consultation_quotas q WHERE q.curator_id = :curator"), {"curator": built["curator"].id}).all())
    assert pairs == expected_pairs


@settings(max_examples=25, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
@given(world=worlds())
def test_every_surface_shows_the_same_figures_and_each_equals_its_sql(app, client, signed_in, world):
    _empty_database()
    with clock.frozen_at(NOW):
        built = build(world)
        programme = db.session.get(Programme, built["programme"].id)
        token = accounts.create_api_token(built["organiser"])
        data = report.build(programme.id)
        rows = [r for r in data["indicators"] if r.get("outside_period") is not None]
        event(f"stages: {len(programme.stages)}")  # --hypothesis-show-statistics: what the examples covered
        event(f"indicators with a fact: {sum(1 for r in rows if r['fact']) // 4 * 4}+")
        event(f"indicators with something outside the period: {sum(1 for r in rows if r['outside_period']) // 4 * 4}+")
        check_report_against_sql(data, programme)
        signed_in(built["organiser"])
        check_surfaces(client, data, programme, token)
        check_snapshot(client, data, programme, built["organiser"])
        check_dashboard(client, data, programme)
        check_cohorts(client, built, token, data, signed_in)


def test_the_pdf_shows_the_same_figures_with_what_lies_outside_apart(known, client, signed_in):
    """A seminar and consultations of December 2026, before the 2027 programme: apart in the PDF, not in the fact."""
    from pypdf import PdfReader

    from app.reports import indicators

    programme, (u1, u2, *_rest) = known["programme"], known["users"]
    early = event_row(programme, EventKind.SEMINAR, "Семинар до программы", date(2026, 12, 1), days=2)
    register(early, u1, checked_in=2)
    register(early, u2, checked_in=2)
    plan = QuotaPlan(event_id=early.id, target=3, starts_on=date(2026, 12, 3), deadline=date(2027, 3, 1))
    db.session.add(plan)
    db.session.flush()
    quota(plan, u2, 3, plan.deadline, [(date(2026, 12, d), ReviewState.ACCEPTED) for d in (10, 11)]
          + [(date(2027, 1, 5), ReviewState.ACCEPTED), (date(2027, 1, 6), ReviewState.RETURNED)])
    quota(plan, u1, 1, plan.deadline, [(date(2026, 12, 20), ReviewState.ACCEPTED)])
    organiser = accounts.build_user(email="olga@example.org", password="password123", full_name="Ольга Миронова",
                                    roles=(Role.ORGANISER,))
    programme.organisers = [organiser]
    db.session.commit()
    for key in ("participants", "consultations_accepted", "quotas_met"):
        indicators.create_indicator(programme, organiser, {"name": key, "plan": 40, "source": key})
    data = report.build(programme.id)
    facts = {r["name"]: (r["fact"], r["outside_period"]) for r in data["indicators"]}
    # The seminar's u1, u2 were at E1 too; u2's third consultation (January) meets the quota in the period, u1's
    # only one (December) outside it.
    assert facts == {"participants": (5, 2), "consultations_accepted": (1, 3), "quotas_met": (1, 1)}
    signed_in(organiser)
    response = client.get(f"/manage/programmes/{programme.id}/report.pdf?lang=en")
    assert response.status_code == 200
    pdf_text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    for name, (fact, outside) in facts.items():
        assert re.search(rf"{name} \S+ 40 {fact} outside the programme period: {outside} ", pdf_text), name
    assert "How is this counted?" in pdf_text
