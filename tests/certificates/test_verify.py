"""The public verify page and its JSON: valid / revoked / superseded / unknown, the check code, PDF upload;
nothing personal through any door without the code, and wrong codes throttled per client."""
import io
from urllib.parse import parse_qs, urlparse

import pytest

from app.certificates import issuance
from app.certificates.models import Certificate, CertificateKind
from app.extensions import db
from app.privacy import services as privacy

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
    assert page.status_code == 404 and "status-unknown" in page.get_data(as_text=True)
    assert "No certificate with this serial number was issued here" in client.get(
        "/verify/PRK-2027-424242", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client.get("/verify/not-a-serial").status_code == 404
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
    assert client.post(f"/verify/{certificate.serial}/seen", data={"c": "WRONG1"}).status_code == 422
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


def test_me_and_linkedin_carry_the_check_code(app, client, seminar, organiser, login):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    users[0].password_hash = organiser.password_hash
    db.session.commit()
    login(users[0])
    me = client.get("/me").get_data(as_text=True)
    code = certificate.check_code
    assert f'href="/verify/{certificate.serial}?c={code}"' in me
    assert f'href="/verify/{certificate.serial}.credential?c={code}"' in me
    [linkedin] = [part.split('"')[0] for part in me.split('href="')[1:] if "linkedin.com" in part]
    cert_url = parse_qs(urlparse(linkedin.replace("&amp;", "&")).query)["certUrl"][0]
    assert cert_url == f"http://praktika.test/verify/{certificate.serial}?c={code}"


def test_an_anonymous_walk_over_serials_learns_no_name_email_or_reason(app, client, seminar, organiser):
    """Serials run in sequence: counting through them, page, JSON and credential name nobody."""
    event, users = seminar
    names = ["Ёлкина Жанна Щукина", "Щукин Пётр Ильич"]
    users[2].full_name = names[1]
    valid = issuance.issue_one(event, users[0], P, organiser)
    revoked = issuance.issue_one(event, users[2], P, organiser)
    issuance.revoke(revoked, organiser, "подложные документы")
    new = issuance.reissue(valid, organiser, "Ёлкина Жанна Петровна")
    users[2].password_hash = organiser.password_hash
    db.session.commit()
    privacy.delete_account(users[2], "password123")  # a deleted holder
    secrets = [*names, "Ёлкина Жанна Петровна", "Ёлкина", "Щукин", users[0].email, users[2].email,
               "подложные документы", "Deleted user", "deleted.invalid", valid.check_code, new.check_code]
    seen = []
    for number in range(1, 6):
        serial = f"PRK-2027-{number:06d}"
        for suffix in ("", ".json", ".credential"):
            response = client.get(f"/verify/{serial}{suffix}")
            assert response.status_code in (200, 404)
            body = response.get_data(as_text=True)
            seen.append((serial + suffix, response.status_code))
            leaked = [secret for secret in secrets if secret.lower() in body.lower()]
            assert not leaked, (serial + suffix, leaked)
    statuses = dict(seen)
    assert statuses[f"{valid.serial}"] == 200 and statuses[f"{valid.serial}.json"] == 200
    assert all(statuses[f"{c.serial}.credential"] == 404 for c in (valid, revoked, new))
    # with the code the same doors name the holder
    assert names[0] in client.get(f"/verify/{valid.serial}?c={valid.check_code}").get_data(as_text=True)


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True}])
def test_wrong_check_codes_are_throttled_per_client_right_ones_never_count(app, client, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    serial, code = certificate.serial, certificate.check_code
    for _ in range(15):  # right codes do not count
        assert client.get(f"/verify/{serial}.credential?c={code}").status_code == 200
    doors = [f"/verify/{serial}?c=WRONG{n}" for n in range(4)] + \
            [f"/verify/{serial}.json?c=WRONG{n}" for n in range(3)] + \
            [f"/verify/{serial}.credential?c=WRONG{n}" for n in range(3)]
    for url in doors:  # ten wrong codes over the three doors: answered as wrong
        assert client.get(url).status_code in (200, 404), url
    assert client.get(f"/verify/{serial}?c=WRONG99").status_code == 429
    # from now on any code from this client waits out the minute, or the 429 itself would tell the right one
    assert client.get(f"/verify/{serial}.credential?c={code}").status_code == 429
    assert client.post(f"/verify/{serial}/seen", data={"c": code}).status_code == 429
    # without a code the status stays visible; another client is not affected
    assert client.get(f"/verify/{serial}").status_code == 200
    other = app.test_client()
    response = other.get(f"/verify/{serial}.credential?c={code}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 200
