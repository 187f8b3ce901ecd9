"""Consent to the processing of personal data (Russian 152-FZ art. 9, GDPR art. 6–7): the versioned
texts and the records of who agreed to which version, when and how.

A text version is never edited once people have agreed to it: a change is a new version (add it to
CONSENT_TEXTS and point CURRENT_CONSENT_VERSION at it); people are then asked again on /me. A version
says the same in each of Praktika's languages (ru, en, bg, pl, lt).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.accounts.models import ConsentRecord, ConsentSource, User
from app.core.exports import csv_text
from app.database import unit_of_work
from app.errors import ValidationFailed
from app.extensions import db

CONSENT_TEXTS = {
    "2026-12": {
        "ru": (
            "Я даю согласие оператору сервиса «Практика» и организаторам мероприятий, на которые я "
            "регистрируюсь, на обработку моих персональных данных: фамилии, имени, отчества, адреса "
            "электронной почты, организации, региона, сведений о регистрациях, посещении, консультациях "
            "(без данных о клиентах) и сертификатах — в целях организации обучения, выдачи сертификатов и "
            "отчётности перед грантодателями, в соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ "
            "«О персональных данных» и Регламентом (ЕС) 2016/679 (GDPR). Согласие действует до его отзыва. "
            "Я могу в любой момент скачать свои данные и отозвать согласие или удалить учётную запись на "
            "странице профиля; после этого мои данные обезличиваются, а в отчётах остаются только числа."
        ),
        "en": (
            "I consent to the operator of the Praktika service and to the organisers of the events I register "
            "for processing my personal data: full name, email address, organisation, region, and records of "
            "my registrations, attendance, consultations (with no client data) and certificates — in order to "
            "run trainings, issue certificates and report to funders, under Russian Federal Law No. 152-FZ "
            "“On Personal Data” of 27.07.2006 and Regulation (EU) 2016/679 (GDPR). This consent is valid until "
            "I withdraw it. At any time I can download my data and withdraw my consent or delete my account on "
            "my profile page; my data are then anonymised and reports keep only the counts."
        ),
        # The same text in Bulgarian, Polish and Lithuanian (issue 23): one version, five languages.
        "bg": (
            "Давам съгласието си операторът на услугата „Практика“ и организаторите на събитията, за които се "
            "регистрирам, да обработват личните ми данни: име, презиме и фамилия, адрес на електронна поща, "
            "организация, регион, сведения за регистрациите, присъствието, консултациите (без данни за "
            "клиентите) и сертификатите ми — с цел организиране на обучението, издаване на сертификати и "
            "отчитане пред донорите, в съответствие с Федералния закон на Руската федерация № 152-ФЗ от "
            "27.07.2006 „За личните данни“ и Регламент (ЕС) 2016/679 (GDPR). Съгласието е валидно до "
            "оттеглянето му. По всяко време мога да изтегля данните си и да оттегля съгласието си или да изтрия "
            "профила си на страницата на профила; след това данните ми се анонимизират, а в отчетите остават "
            "само числа."
        ),
        "pl": (
            "Wyrażam zgodę na przetwarzanie moich danych osobowych przez operatora serwisu „Praktika” oraz "
            "organizatorów wydarzeń, na które się zgłaszam: imienia i nazwiska, adresu e-mail, organizacji, "
            "regionu oraz informacji o moich zgłoszeniach, obecności, konsultacjach (bez danych klientów) i "
            "certyfikatach — w celu prowadzenia szkoleń, wydawania certyfikatów i sprawozdawczości wobec "
            "grantodawców, zgodnie z ustawą federalną Federacji Rosyjskiej nr 152-FZ z dnia 27.07.2006 "
            "„O danych osobowych” oraz rozporządzeniem (UE) 2016/679 (RODO). Zgoda obowiązuje do jej "
            "wycofania. W każdej chwili mogę pobrać swoje dane oraz wycofać zgodę lub usunąć konto na stronie "
            "profilu; moje dane są wtedy anonimizowane, a w sprawozdaniach pozostają jedynie liczby."
        ),
        "lt": (
            "Sutinku, kad paslaugos „Praktika“ operatorius ir renginių, į kuriuos registruojuosi, organizatoriai "
            "tvarkytų mano asmens duomenis: vardą, pavardę, el. pašto adresą, organizaciją, regioną, duomenis "
            "apie mano registracijas, dalyvavimą, konsultacijas (be klientų duomenų) ir sertifikatus — mokymams "
            "organizuoti, sertifikatams išduoti ir ataskaitoms finansuotojams teikti, vadovaujantis Rusijos "
            "Federacijos 2006-07-27 federaliniu įstatymu Nr. 152-FZ „Dėl asmens duomenų“ ir Reglamentu (ES) "
            "2016/679 (BDAR). Sutikimas galioja, kol jo neatšaukiu. Bet kuriuo metu galiu atsisiųsti savo "
            "duomenis ir atšaukti sutikimą arba ištrinti paskyrą profilio puslapyje; tada mano duomenys "
            "nuasmeninami, o ataskaitose lieka tik skaičiai."
        ),
    },
}
CURRENT_CONSENT_VERSION = "2026-12"


def consent_text(locale: str | None, version: str = CURRENT_CONSENT_VERSION) -> str:
    """The text of a version in the reader's language (Russian for a language the version lacks)."""
    texts = CONSENT_TEXTS[version]
    return texts.get(str(locale or "ru")[:2], texts["ru"])


def _record(user: User, source: ConsentSource, recorded_by: User | None = None) -> ConsentRecord:
    record = ConsentRecord(user_id=user.id, version=CURRENT_CONSENT_VERSION, source=source, given_at=clock.now(),
                           recorded_by_id=recorded_by.id if recorded_by else None)
    db.session.add(record)
    return record


def check_agreed(agreed: bool) -> None:
    """The sign-up form's `consent` box: no tick, no account (the message sits beside the box)."""
    if not agreed:
        raise ValidationFailed(_l("Tick the box to agree to the processing of your personal data."), field="consent")


def record_sign_up_consent(user: User) -> ConsentRecord:
    """Call inside the sign-up's unit of work, after check_agreed()."""
    return _record(user, ConsentSource.SIGN_UP)


def record_collected_by_organiser(user: User, recorded_by: User | None) -> ConsentRecord:
    """An account made for someone (import-users, an organiser): consent was collected outside Praktika
    (on paper, by mail). `recorded_by` None means the command line. Call inside a unit of work."""
    return _record(user, ConsentSource.ORGANISER, recorded_by)


def own_consent(user: User) -> ConsentRecord | None:
    """The person's own, not withdrawn consent to the current version (sign-up or confirmed)."""
    return db.session.execute(
        select(ConsentRecord).where(ConsentRecord.user_id == user.id, ConsentRecord.version == CURRENT_CONSENT_VERSION,
                                    ConsentRecord.source.in_((ConsentSource.SIGN_UP, ConsentSource.CONFIRMED)),
                                    ConsentRecord.withdrawn_at.is_(None))
        .order_by(ConsentRecord.id.desc()).limit(1)
    ).scalar_one_or_none()


def needs_consent(user: User) -> bool:
    """Shown the text and asked on /me and the profile: whoever has not agreed themselves to the current version."""
    return getattr(user, "is_authenticated", False) and own_consent(user) is None


def confirm_consent(user: User) -> ConsentRecord:
    """The person agrees themselves (after an organiser collected it, or to a new version). One transaction."""
    with unit_of_work():
        record = own_consent(user) or _record(user, ConsentSource.CONFIRMED)
    return record


def consent_records(user: User) -> list[ConsentRecord]:
    return list(db.session.execute(
        select(ConsentRecord).where(ConsentRecord.user_id == user.id).order_by(ConsentRecord.given_at, ConsentRecord.id)
    ).scalars())


def withdraw_all(user: User) -> None:
    """Mark every consent of the person withdrawn now (inside the unit of work that anonymises them)."""
    now = clock.now()
    for record in consent_records(user):
        if record.withdrawn_at is None:
            record.withdrawn_at = now


CSV_HEADER = ("user_id", "full_name", "email", "version", "source", "given_at", "recorded_by", "withdrawn_at")


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def all_consent_records_csv() -> str:
    """Every platform consent record (the administrator's download), oldest first, with a BOM for Excel."""
    rows = db.session.execute(
        select(ConsentRecord).options(selectinload(ConsentRecord.user), selectinload(ConsentRecord.recorded_by))
        .order_by(ConsentRecord.given_at, ConsentRecord.id)
    ).scalars()
    return csv_text(CSV_HEADER, ([record.user_id, record.user.full_name, record.user.email, record.version,
                                  record.source.value, _when(record.given_at),
                                  record.recorded_by.email if record.recorded_by else "", _when(record.withdrawn_at)]
                                 for record in rows))
