"""A certificate's volume (issue 22, item 4): the programme counts clock hours or academic hours of 45 minutes,
and the PDF, the verify page and JSON, the credential and the organiser's list print the same amount in the same
unit, worded by the catalog in each reader's language."""
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from app.certificates import issuance
from app.certificates.hours import hours_for, hours_text
from app.certificates.models import CertificateKind
from app.errors import ValidationFailed
from app.programmes import services as programmes
from app.programmes.models import HoursUnit
from app.registrations import services as registrations
from tests.certificates.test_credentials import _credential
from tests.factories import make_event, make_user

P = CertificateKind.PARTICIPATION
START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def _programme(organiser, unit: str):
    return programmes.create_programme(organiser, {
        "title": "КПД НКО", "starts_on": datetime(2027, 1, 1).date(), "ends_on": datetime(2027, 12, 31).date(),
        "regions": [], "organisers": [organiser.id], "hours_unit": unit})


def _webinar(organiser, programme=None):
    """A 90-minute webinar one trainee attended, the clock after it."""
    event = make_event(actor=organiser, kind="webinar", start=START, capacity=None,
                       programme_id=programme.id if programme else None,
                       sessions=[{"start": START.isoformat(), "end": START.replace(hour=11, minute=30).isoformat(),
                                  "title": "Вебинар"}])
    trainee = make_user(full_name="Иванова Мария Петровна")
    registration = registrations.register(event.id, trainee)
    registrations.check_in(registration, event.sessions[0], organiser)
    return event, trainee


def test_a_90_minute_webinar_is_2_academic_hours_on_the_pdf_verify_page_json_credential_and_list(
        app, client, organiser, after_event, login):
    event, trainee = _webinar(organiser, _programme(organiser, "academic"))
    assert hours_for(event) == (2, HoursUnit.ACADEMIC)
    after_event()
    certificate = issuance.issue_one(event, trainee, P, organiser)
    assert (certificate.hours, certificate.hours_unit) == (2, HoursUnit.ACADEMIC)

    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=issuance.pdf_bytes(certificate), capture_output=True,
                              check=True).stdout.decode()
        assert "2 ак. ч." in text and "1,5" not in text
    page = client.get(f"/verify/{certificate.serial}?c={certificate.check_code}").get_data(as_text=True)
    assert "2 ак. ч." in page and "1,5" not in page
    body = client.get(f"/verify/{certificate.serial}.json?c={certificate.check_code}").get_json()
    assert (body["details"]["hours"], body["details"]["hours_unit"]) == (2, "academic")
    assert _credential(client, certificate)["credentialSubject"]["achievement"]["criteria"]["narrative"] \
        .endswith("Объём: 2 ак. ч.")
    login(organiser)
    listing = client.get(f"/manage/events/{event.id}/certificates").get_data(as_text=True)
    assert "2 ак. ч." in listing


def test_outside_a_programme_the_same_webinar_is_one_and_a_half_clock_hours(app, client, organiser, after_event):
    event, trainee = _webinar(organiser)
    assert hours_for(event) == (1.5, HoursUnit.CLOCK)
    after_event()
    certificate = issuance.issue_one(event, trainee, P, organiser)
    page = client.get(f"/verify/{certificate.serial}?c={certificate.check_code}").get_data(as_text=True)
    assert "1,5 ч." in page


@pytest.mark.parametrize("amount, unit, language, text", [
    (2, HoursUnit.ACADEMIC, "ru", "2 ак. ч."),
    (2, HoursUnit.ACADEMIC, "bg", "2 уч. ч."),
    (2, HoursUnit.ACADEMIC, "pl", "2 godz. dyd."),
    (1.5, HoursUnit.CLOCK, "ru", "1,5 ч."),
    (1.5, HoursUnit.CLOCK, "en", "1.5 hours"),
    (1, HoursUnit.CLOCK, "en", "1 hour"),
    (1, HoursUnit.ACADEMIC, "en", "1 academic hour"),
    (27, HoursUnit.ACADEMIC, "en", "27 academic hours"),
])
def test_hours_are_worded_by_the_catalog_with_the_locales_digits(app, amount, unit, language, text):
    with app.test_request_context(), force_locale("ru"):
        assert hours_text(amount, unit, language=language) == text


def test_the_organisers_form_sets_the_unit(app, client, organiser, login):
    programme = _programme(organiser, "clock")
    login(organiser)
    page = client.get(f"/manage/programmes/{programme.id}/edit").get_data(as_text=True)
    assert 'name="hours_unit"' in page
    with pytest.raises(ValidationFailed) as caught:
        _programme(organiser, "fortnights")
    assert "hours_unit" in caught.value.fields


def test_a_revoked_certificates_date_ends_the_sentence_with_one_period(app, client, organiser, after_event):
    event, trainee = _webinar(organiser)
    after_event()
    certificate = issuance.issue_one(event, trainee, P, organiser)
    issuance.revoke(certificate, organiser, "Ошибка в имени")
    page = client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert "Отозван 10 марта 2027\u202fг." in page and "г.." not in page
