"""The public verify page and its JSON: valid / revoked / superseded / unknown, the check code, PDF upload."""
import io

from app.certificates import issuance
from app.certificates.models import Certificate, CertificateKind
from app.extensions import db

P = CertificateKind.PARTICIPATION


def _url(certificate, suffix="", code=True):
    query = f"?c={certificate.check_code}" if code else ""
    return f"/verify/{certificate.serial}{suffix}{query}"


def test_valid_with_code_shows_what_is_printed(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    page = client.get(_url(certificate)).get_data(as_text=True)
    assert "status-valid" in page and "Ёлкина Жанна Щукина" in page and event.title in page
    body = client.get(_url(certificate, ".json")).get_json()
    assert body["status"] == "valid"
    assert body["details"]["holder_name"] == "Ёлкина Жанна Щукина"
    assert body["details"]["kind"] == "participation" and body["details"]["hours"] == 27
    assert body["details"]["pdf_sha256"] == certificate.pdf_sha256


def test_without_the_check_code_only_the_status_shows(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    page = client.get(_url(certificate, code=False)).get_data(as_text=True)
    assert "status-valid" in page and "Ёлкина" not in page
    wrong = client.get(f"/verify/{certificate.serial}?c=ZZZZZZ").get_data(as_text=True)
    assert "Ёлкина" not in wrong and 'aria-invalid="true"' in wrong
    body = client.get(_url(certificate, ".json", code=False)).get_json()
    assert body["status"] == "valid" and body["details"] is None


def test_revoked_shows_date_and_reason(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    issuance.revoke(certificate, organiser, "выдан по ошибке")
    page = client.get(_url(certificate)).get_data(as_text=True)
    assert "status-revoked" in page and "выдан по ошибке" in page and "10 марта 2027" in page
    body = client.get(_url(certificate, ".json")).get_json()
    assert body["status"] == "revoked" and body["revoke_reason"] == "выдан по ошибке"
    assert body["revoked_at"].startswith("2027-03-10")


def test_superseded_links_to_the_replacement(app, client, seminar, organiser):
    event, users = seminar
    old = issuance.issue_one(event, users[0], P, organiser)
    new = issuance.reissue(old, organiser, "Ёлкина Жанна Петровна")
    page = client.get(_url(old)).get_data(as_text=True)
    assert "status-superseded" in page and f'href="/verify/{new.serial}"' in page
    body = client.get(_url(old, ".json")).get_json()
    assert body["status"] == "superseded" and body["superseded_by"] == new.serial
    assert client.get(_url(new, ".json")).get_json()["status"] == "valid"


def test_unknown_serial(app, client):
    page = client.get("/verify/PRK-2027-424242")
    assert page.status_code == 200 and "status-unknown" in page.get_data(as_text=True)
    response = client.get("/verify/PRK-2027-424242.json")
    assert response.status_code == 404 and response.get_json()["status"] == "unknown"
    assert client.get("/verify/not-a-serial.json").get_json()["status"] == "unknown"
    assert client.get("/verify/PRK-2027-424242.credential").status_code == 404


def test_uploaded_pdf_matches_only_when_unchanged(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    original = issuance.pdf_bytes(certificate)
    ok = client.post(f"/verify/{certificate.serial}", data={"pdf": (io.BytesIO(original), "c.pdf")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "alert-success upload-result" in ok
    edited = original.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in original else original + b"\n%"
    bad = client.post(f"/verify/{certificate.serial}", data={"pdf": (io.BytesIO(edited), "c.pdf")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "alert-danger upload-result" in bad
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).verification_count == 1


def test_opening_the_page_writes_nothing_the_script_counts_a_stranger(app, client, seminar, organiser, login):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    page = client.get(_url(certificate)).get_data(as_text=True)
    assert 'id="verify-seen"' in page
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).verification_count == 0
    assert client.post(f"/verify/{certificate.serial}/seen", data={"c": "WRONG1"}).status_code == 400
    assert client.post(f"/verify/{certificate.serial}/seen", data={"c": certificate.check_code}).get_json() == \
        {"counted": True}
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).verification_count == 1
    # the holder sees the count and is not counted
    users[0].password_hash = organiser.password_hash
    db.session.commit()
    login(users[0])
    page = client.get(_url(certificate)).get_data(as_text=True)
    assert 'id="verify-seen"' not in page and "1" in page
    me = client.get("/me").get_data(as_text=True)
    assert certificate.serial in me and "linkedin.com/profile/add" in me and "CERTIFICATION_NAME" in me
