"""Issuing, the one-live-certificate rule (in the database too), overrides, revocation and reissue."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.certificates import issuance
from app.certificates.models import Certificate, CertificateKind, CertificateStatus, SerialCounter
from app.errors import Conflict, ValidationFailed
from app.extensions import db

P = CertificateKind.PARTICIPATION


def test_issue_one_makes_a_stored_pdf_with_serial_and_hash(app, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    assert certificate.serial.startswith("PRK-2027-") and len(certificate.serial) == len("PRK-2027-000001")
    assert certificate.holder_name == "Ёлкина Жанна Щукина"
    assert certificate.hours == 27  # three days of 09:00–18:00
    assert certificate.status_list_index >= 0 and len(certificate.identity_salt) == 32
    pdf = issuance.pdf_bytes(certificate)
    assert pdf.startswith(b"%PDF")
    import hashlib
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256


def test_issuing_twice_creates_nothing_new(app, seminar, organiser):
    event, users = seminar
    issuance.issue_one(event, users[0], P, organiser)
    with pytest.raises(Conflict):
        issuance.issue_one(event, users[0], P, organiser)
    result = issuance.issue_batch(event, P, [issuance.Request(users[0])], organiser)
    assert result.issued == [] and result.already == [users[0].id]
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_the_database_refuses_a_second_live_certificate(app, seminar, organiser):
    event, users = seminar
    first = issuance.issue_one(event, users[0], P, organiser)
    twin = Certificate(serial="PRK-2027-999999", check_code="AAAAAA", event_id=event.id, user_id=users[0].id,
                       kind=P, holder_name="x", hours=1, language="ru", layout="classic", pdf_sha256="0" * 64,
                       pdf_path="x.pdf", status_list_index=999_999)
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # a revoked one does not count: the partial index covers live certificates only
    issuance.revoke(db.session.get(Certificate, first.id), organiser, "ошибка в дате")
    again = issuance.issue_one(event, users[0], P, organiser)
    assert again.serial != first.serial


def test_ineligible_needs_an_override_reason(app, seminar, organiser):
    event, users = seminar
    with pytest.raises(ValidationFailed) as error:
        issuance.issue_one(event, users[1], P, organiser)
    assert "2" in str(error.value.message) and "3" in str(error.value.message)
    certificate = issuance.issue_one(event, users[1], P, organiser, override_reason="болела, отработала онлайн")
    assert certificate.override_reason == "болела, отработала онлайн"


def test_serials_count_up_and_are_never_reused(app, seminar, organiser):
    event, users = seminar
    first = issuance.issue_one(event, users[0], P, organiser)
    issuance.revoke(first, organiser, "выдан по ошибке")
    second = issuance.issue_one(event, users[2], P, organiser)
    numbers = sorted(int(c.serial[-6:]) for c in (first, second))
    assert numbers[1] > numbers[0]
    assert db.session.get(SerialCounter, 2027).last >= 2
    assert issuance.allocate_serials(3, 2027) == [issuance.format_serial(2027, n) for n in range(
        db.session.get(SerialCounter, 2027).last - 2, db.session.get(SerialCounter, 2027).last + 1)]


def test_revoke_needs_a_reason_and_keeps_the_serial(app, seminar, organiser):
    event, users = seminar
    certificate = issuance.issue_one(event, users[0], P, organiser)
    with pytest.raises(ValidationFailed):
        issuance.revoke(certificate, organiser, "  ")
    issuance.revoke(certificate, organiser, "подделка подписи")
    assert certificate.status == CertificateStatus.REVOKED
    with pytest.raises(Conflict):
        issuance.revoke(certificate, organiser, "ещё раз")


def test_reissue_supersedes_and_links_to_the_new_serial(app, seminar, organiser):
    event, users = seminar
    old = issuance.issue_one(event, users[0], P, organiser)
    new = issuance.reissue(old, organiser, "Ёлкина Жанна Петровна", "исправлено отчество")
    db.session.refresh(old)
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by_id == new.id
    assert old.revoke_reason == "исправлено отчество"
    assert new.status == CertificateStatus.VALID and new.holder_name == "Ёлкина Жанна Петровна"
    assert new.serial != old.serial
    with pytest.raises(Conflict):
        issuance.reissue(old, organiser, "Другое Имя")
