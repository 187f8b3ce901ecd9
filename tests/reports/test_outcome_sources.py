"""Consultations accepted, trainees who met their quota, certificates issued: a hand-built set with known answers."""
from datetime import UTC, date, datetime

import pytest

from app.certificates.models import Certificate, CertificateKind
from app.extensions import db
from app.quotas.models import (
    ClientType,
    Consultation,
    ConsultationFormat,
    ConsultationQuota,
    QuotaPlan,
    ReviewState,
)
from app.reports import sources
from app.reports.sources import TOTAL, Scope, StageSpan

_serials = iter(range(1, 1000))


def quota(plan, user, target, deadline, held: list[tuple[date, ReviewState]]):
    row = ConsultationQuota(plan_id=plan.id, user_id=user.id, target=target, deadline=deadline)
    db.session.add(row)
    db.session.flush()
    db.session.add_all([Consultation(quota_id=row.id, held_on=day, format=ConsultationFormat.PHONE,
                                     duration_minutes=40, client_type=ClientType.PATIENT, review_state=state)
                        for day, state in held])
    return row


def certificate(event, user, kind=CertificateKind.PARTICIPATION, revoked=False):
    n = next(_serials)
    row = Certificate(serial=f"PRK-2027-{n:06d}", check_code="abcd", event_id=event.id, user_id=user.id, kind=kind,
                      holder_name=user.full_name, language="ru", layout="classic", pdf_sha256="0" * 64,
                      pdf_path=f"certificates/{n}.pdf", status_list_index=n,
                      revoked_at=datetime(2027, 4, 1, tzinfo=UTC) if revoked else None)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def outcomes(known):
    """E1's quota plan: u1 target 3 (3 accepted, 1 waiting) ✓; u2 target 2 (1 accepted, 1 returned) ✗;
    u3 target 5 (4 accepted in June, 1 in July) ✓. Certificates: u1 participation and completion, u3 a
    participation certificate revoked and reissued. Programme Q's plan and certificate never count."""
    e1 = known["events"][0]
    u1, u2, u3, *_ = known["users"]
    plan = QuotaPlan(event_id=e1.id, target=20, starts_on=date(2027, 3, 4), deadline=date(2027, 7, 31))
    db.session.add(plan)
    db.session.flush()
    accepted, waiting, returned = ReviewState.ACCEPTED, ReviewState.SUBMITTED, ReviewState.RETURNED
    quota(plan, u1, 3, date(2027, 6, 30), [(date(2027, 4, 1), accepted), (date(2027, 4, 2), accepted),
                                           (date(2027, 5, 2), accepted), (date(2027, 6, 1), waiting)])
    quota(plan, u2, 2, date(2027, 6, 30), [(date(2027, 4, 3), accepted), (date(2027, 4, 4), returned)])
    quota(plan, u3, 5, date(2027, 7, 31), [(date(2027, 6, d), accepted) for d in (1, 2, 3, 4)]
          + [(date(2027, 7, 2), accepted)])
    other_event = db.session.get(type(e1), e1.id + 8)  # programme Q's seminar
    assert other_event.programme_id == known["other"].id
    other_plan = QuotaPlan(event_id=other_event.id, target=1, starts_on=date(2027, 3, 4), deadline=date(2027, 7, 31))
    db.session.add(other_plan)
    db.session.flush()
    quota(other_plan, u1, 1, date(2027, 6, 30), [(date(2027, 4, 1), accepted)])
    certificate(e1, u1)
    certificate(e1, u1, CertificateKind.COMPLETION)
    old = certificate(e1, u3, revoked=True)
    new = certificate(e1, u3)
    old.superseded_by_id = new.id
    certificate(other_event, u1)
    db.session.commit()
    return known


def scope(known, **kwargs) -> Scope:
    return Scope(programme_id=known["programme"].id, **kwargs)


def spans(known):
    return tuple(StageSpan(s.id, s.starts_on, s.ends_on) for s in known["stages"])


def test_consultations_accepted(outcomes):
    s1, s2 = outcomes["stages"]
    assert sources.compute("consultations_accepted", scope(outcomes)) == {TOTAL: 9}
    assert sources.compute("consultations_accepted", scope(outcomes), by="stage", stages=spans(outcomes)) == {
        s1.id: 8, s2.id: 1}
    assert sources.compute("consultations_accepted", scope(outcomes), by="region") == {"RU-SAM": 4, "RU-PNZ": 5}
    assert sources.compute("consultations_accepted", scope(outcomes), by="month") == {
        "2027-04": 3, "2027-05": 1, "2027-06": 4, "2027-07": 1}
    assert sources.compute("consultations_accepted", scope(outcomes, date_to=date(2027, 4, 30))) == {TOTAL: 3}


def test_quotas_met(outcomes):
    s1, s2 = outcomes["stages"]
    assert sources.compute("quotas_met", scope(outcomes)) == {TOTAL: 2}
    assert sources.compute("quotas_met", scope(outcomes), by="stage", stages=spans(outcomes)) == {s1.id: 1, s2.id: 1}
    assert sources.compute("quotas_met", scope(outcomes, event_kind="webinar")) == {TOTAL: 0}


def test_certificates_issued_count_each_in_force_once(outcomes):
    org_a, _org_b, org_c = outcomes["orgs"]
    assert sources.compute("certificates_issued", scope(outcomes)) == {TOTAL: 3}
    assert sources.compute("certificates_issued", scope(outcomes, option="participation")) == {TOTAL: 2}
    assert sources.compute("certificates_issued", scope(outcomes), by="organisation") == {org_a.id: 2, org_c.id: 1}


def test_dashboard_lists_reviews_pace_and_certificates(outcomes):
    from app.events.models import EventKind
    from app.reports import dashboard
    from tests.reports.conftest import event_row, make_organiser, register

    organiser = make_organiser()
    programme = outcomes["programme"]
    programme.organisers = [organiser]
    e1 = outcomes["events"][0]
    u6 = outcomes["users"][5]
    plan = db.session.query(QuotaPlan).filter_by(event_id=e1.id).one()
    quota(plan, u6, 20, date(2027, 7, 31), [])  # nothing accepted by mid-June: behind
    held = event_row(programme, EventKind.SEMINAR, "Семинар 3", date(2027, 5, 20), days=1, threshold=100)
    register(held, u6, checked_in=1)  # trained, no certificate yet
    db.session.commit()
    found = {item.key: [(e.title, e.count) for e in item.entries] for item in dashboard.dashboard(organiser).attention}
    assert found["consultations_to_review"] == [("Семинар 1", 1)]
    assert found["behind_pace"] == [("Семинар 1", 1)]
    assert found["certificates_due"] == [("Семинар 3", 1)]  # E1's trained people u1 and u3 hold certificates


def test_consultations_over_time_against_the_pace_line(outcomes, client, login):
    from app.reports import indicators, report
    from tests.reports.conftest import make_organiser

    organiser = make_organiser()
    outcomes["programme"].organisers = [organiser]
    db.session.commit()
    indicators.create_indicator(outcomes["programme"], organiser, {"name": "Консультации", "plan": 24,
                                                                   "source": "consultations_accepted"})
    pace = report.build(outcomes["programme"].id)["charts"]["consultations"]
    months = {m["month"]: m for m in pace["months"]}
    assert len(months) == 12 and pace["plan"] == 24
    assert [months[m]["cumulative"] for m in ("2027-03", "2027-04", "2027-05", "2027-06")] == [0, 3, 4, 8]
    assert months["2027-07"]["cumulative"] is None  # July has not begun on 15 June
    assert months["2027-06"]["expected"] == round(24 * 181 / 365) and months["2027-12"]["expected"] == 24
    login(organiser)
    html = client.get(f"/manage/programmes/{outcomes['programme'].id}/report").get_data(as_text=True)
    assert 'class="rc-actual"' in html and 'class="rc-expected"' in html
