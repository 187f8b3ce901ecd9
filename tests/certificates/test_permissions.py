"""Route matrix of the certificate pages: (method, url, role) → status, and no mutating GET.

One certificate and one job are made once (rendering is the slow part); every mutating request
carries an empty body, so an allowed role gets the form's error (302 back or 422) and nothing changes.
"""
from app.accounts.models import Role
from app.certificates import issuance, jobs
from app.certificates.models import Certificate, CertificateKind
from app.extensions import db
from tests.factories import make_event, make_user

ROLES = ["anonymous", "holder", "other", "organiser", "other_organiser", "admin"]
MANAGE_GET = {"anonymous": 302, "holder": 404, "other": 404, "organiser": 200, "other_organiser": 404, "admin": 200}
MANAGE_POST = {"anonymous": 302, "holder": 404, "other": 404, "organiser": 302, "other_organiser": 404, "admin": 302}
PUBLIC = dict.fromkeys(ROLES, 200)
MATRIX = [
    ("GET", "/certificates/{c}.pdf",
     {"anonymous": 302, "holder": 200, "other": 404, "organiser": 200, "other_organiser": 404, "admin": 200}),
    ("GET", "/manage/events/{e}/certificates", MANAGE_GET),
    ("GET", "/manage/events/{e}/certificates?kind=completion", MANAGE_GET),
    ("GET", "/manage/events/{e}/certificates/preview.pdf", MANAGE_GET),
    ("GET", "/manage/events/{e}/certificates/jobs/{j}", MANAGE_GET),
    ("GET", "/manage/events/{e}/certificates/jobs/{j}.json", MANAGE_GET),
    ("POST", "/manage/events/{e}/certificates/jobs", {**MANAGE_POST, "organiser": 422, "admin": 422}),
    ("POST", "/manage/events/{e}/certificates/jobs/{j}/rerun", MANAGE_POST),
    ("POST", "/manage/events/{e}/certificates/issue", MANAGE_POST),
    ("POST", "/manage/events/{e}/certificates/{c}/revoke", MANAGE_POST),
    ("POST", "/manage/events/{e}/certificates/{c}/reissue", MANAGE_POST),
    ("GET", "/verify", PUBLIC),
    ("GET", "/verify/{c}", PUBLIC),
    ("GET", "/verify/{c}.json", PUBLIC),
    ("GET", "/verify/{c}.credential", {**dict.fromkeys(ROLES, 404), "holder": 200}),
    ("GET", "/verify/{c}.credential?c={code}", PUBLIC),
    ("GET", "/credentials/status/1", PUBLIC),
    ("GET", "/.well-known/jwks.json", PUBLIC),
]
NO_GET = ["/manage/events/{e}/certificates/jobs", "/manage/events/{e}/certificates/jobs/{j}/rerun",
          "/manage/events/{e}/certificates/issue", "/manage/events/{e}/certificates/{c}/revoke",
          "/manage/events/{e}/certificates/{c}/reissue", "/verify/{c}/seen"]


def test_route_matrix(app, client, login, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], CertificateKind.PARTICIPATION, organiser)
    job = jobs.create_job(event, CertificateKind.PARTICIPATION, [users[2].id], organiser)
    people = {"holder": users[0], "other": make_user(), "organiser": organiser,
              "other_organiser": make_user(roles=(Role.ORGANISER,)), "admin": make_user(roles=(Role.ADMIN,))}
    users[0].password_hash = organiser.password_hash
    db.session.commit()
    values = {"e": event.id, "c": certificate.serial, "j": job.id, "code": certificate.check_code}
    wrong = []
    for role in ROLES:
        client.post("/auth/logout")
        if role != "anonymous":
            login(people[role])
        for method, pattern, expected in MATRIX:
            url = pattern.format(**values)
            status = client.open(url, method=method, data={}).status_code
            if status != expected[role]:
                wrong.append(f"{method} {url} as {role}: {status}, expected {expected[role]}")
        for pattern in NO_GET:
            status = client.get(pattern.format(**values)).status_code
            if status != 405:
                wrong.append(f"GET {pattern} as {role}: {status}, expected 405")
    assert wrong == []
    db.session.expire_all()
    unchanged = db.session.get(Certificate, certificate.id)
    assert unchanged.revoked_at is None and unchanged.verification_count == 0


def test_objects_of_another_event_are_not_found(app, client, login, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], CertificateKind.PARTICIPATION, organiser)
    job = jobs.create_job(event, CertificateKind.PARTICIPATION, [users[2].id], organiser)
    mine = make_event(actor=organiser, title="Другой семинар")
    login(organiser)
    assert client.get(f"/manage/events/{mine.id}/certificates/jobs/{job.id}").status_code == 404
    assert client.post(f"/manage/events/{mine.id}/certificates/{certificate.serial}/revoke",
                       data={"reason": "x"}).status_code == 404
    assert client.get("/certificates/PRK-2027-999999.pdf").status_code == 404
