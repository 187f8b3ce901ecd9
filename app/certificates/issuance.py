"""Issuing certificates: serials, one person or a batch, revocation and reissue.

Shape of every issuance (STYLE rule 5, "never render a PDF while holding a lock"):
1. a short unit of work allocates the serials (a counter row per year, bumped atomically);
2. the batch is rendered as one document and split, outside any transaction, and each PDF is
   written under a temporary name (app/certificates/files.py);
3. a second unit locks the event row, re-checks who already holds a live certificate, inserts the
   rows (each with its status-list index) and emits the holders' mails; the PDFs move into place once it
   commits, and whatever it did not record is discarded. The partial unique index on
   (event, user, kind) among non-revoked certificates is the database's last word.
Steps 1–2 are `prepare_batch`, step 3 `record_batch` inside the caller's unit, so a bulk job records
its own progress in the same unit (app/certificates/jobs.py); `issue_batch` does all three.
A serial whose batch fails after step 1 is simply never used: serials are never handed out twice.
"""
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.accounts.models import User
from app.certificates import eligibility, files, rendering, signing_keys, status_list
from app.certificates.hours import hours_for, hours_text
from app.certificates.models import Certificate, CertificateKind, SerialCounter
from app.core.i18n import date_in, interval_in
from app.database import lock_row, unit_of_work
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.models import Event
from app.extensions import db
from app.outbox import services as outbox
from app.programmes.models import HoursUnit

CHECK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_LAYOUT = "classic"

MESSAGES = {
    "not_eligible": _l("Not eligible: %(reasons)s."),
    "reason_required": _l("Give a reason: it is recorded with the certificate."),
    "no_registration": _l("This person is not a confirmed participant of the event."),
    "already_revoked": _l("This certificate is already revoked."),
    "name_required": _l("Give the name as it should be printed."),
    "render_failed": _l("The certificate could not be rendered: %(error)s"),
}


@dataclass(frozen=True)
class Request:
    """One certificate to make: who, and (for an organiser's override) why despite the rules."""

    user: User
    override_reason: str = ""
    holder_name: str | None = None


@dataclass
class Failure:
    user_id: int
    name: str
    reason: str

    def as_dict(self) -> dict:
        return {"user_id": self.user_id, "name": self.name, "reason": self.reason}


@dataclass
class BatchResult:
    issued: list[Certificate] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)


# --- serials ------------------------------------------------------------------------------------

def format_serial(year: int, number: int) -> str:
    return f"PRK-{year}-{number:06d}"


def allocate_serials(count: int, year: int | None = None) -> list[str]:
    """`count` new serials, in their own committed unit: never handed out twice, even on rollback later."""
    year = year or clock.now().year
    with unit_of_work():
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(SerialCounter).values(year=year, last=0).on_conflict_do_nothing())
        last = db.session.execute(
            update(SerialCounter).where(SerialCounter.year == year)
            .values(last=SerialCounter.last + count).returning(SerialCounter.last)
        ).scalar_one()
    return [format_serial(year, n) for n in range(last - count + 1, last + 1)]


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(6))


def verify_url(serial: str, check_code: str | None = None) -> str:
    base = f"{current_app.config['BASE_URL']}/verify/{serial}"
    return f"{base}?c={check_code}" if check_code else base


# --- what is printed ----------------------------------------------------------------------------

def event_dates(event: Event, language: str) -> str:
    if not event.sessions:
        return ""
    first = min(s.starts_at for s in event.sessions).astimezone(event.tz).date()
    last = max(s.ends_at for s in event.sessions).astimezone(event.tz).date()
    if first == last:
        return date_in(first, "long", language)
    return interval_in(first, last, "yMMMd", language)


def issuer_name() -> str:
    return current_app.config.get("CERTIFICATE_ISSUER_NAME") or "Praktika"


def organisation_name(event: Event) -> str:
    creator = event.created_by
    return creator.organisation.name if creator is not None and creator.organisation is not None else ""


def default_signatories(actor: User | None) -> list[dict]:
    if actor is None:
        return []
    return [{"name": actor.name_on_certificate, "role": _("Programme organiser")}]


def view_for(event: Event, *, serial: str, check_code: str, kind: CertificateKind, holder_name: str,
             language: str, issued_at: datetime, signatories: list[dict],
             hours: tuple[float, HoursUnit]) -> rendering.CertificateView:
    return rendering.CertificateView(
        serial=serial, language=language, kind=kind.value, holder_name=holder_name,
        event_title=event.text_in(language)["title"],
        programme_title=event.programme.title if event.programme else "", dates=event_dates(event, language),
        place=event.venue or (event.trip.settlement if event.trip else ""),
        hours=hours_text(*hours, language=language), issued_on=date_in(issued_at.astimezone(event.tz).date(), "long", language),
        issuer_name=issuer_name(), organisation_name=organisation_name(event),
        verify_url=verify_url(serial, check_code), signatories=signatories)


def sample_pdf(event: Event, layout_name: str, language: str, kind: CertificateKind, actor: User) -> bytes:
    """A preview with sample data and a sample serial: nothing is stored or counted."""
    layout = rendering.get_layout(layout_name)
    language = rendering.language_for(layout, language)
    view = view_for(event, serial="PRK-0000-000000", check_code="SAMPLE", kind=kind,
                    holder_name={"ru": "Иванова Мария Петровна", "bg": "Мария Петрова Иванова",
                                 "pl": "Małgorzata Żółkiewska", "lt": "Rūta Žemaitytė"}.get(language, "Mary Smith"),
                    language=language, issued_at=clock.now(), signatories=default_signatories(actor),
                    hours=hours_for(event))
    return rendering.render_one(layout, view, rendering.logo_uri())


def pdf_bytes(certificate: Certificate) -> bytes:
    return files.read(certificate.pdf_path)


# --- issuing -----------------------------------------------------------------------------------------

def _render_isolating(layout, views, logo) -> tuple[list[bytes | None], dict[int, str]]:
    """Render the batch as one document; if that fails, render one by one so a bad record fails alone."""
    try:
        return rendering.render_batch(layout, views, logo), {}
    except Exception:  # noqa: BLE001 - any rendering error: find the one record that causes it
        current_app.logger.warning("batch render failed; rendering %d certificates one by one", len(views))
    parts: list[bytes | None] = []
    errors: dict[int, str] = {}
    for index, view in enumerate(views):
        try:
            parts.extend(rendering.render_batch(layout, [view], logo))
        except Exception as error:  # noqa: BLE001 - reported as this person's failure
            parts.append(None)
            errors[index] = str(MESSAGES["render_failed"] % {"error": error})
    return parts, errors


@dataclass
class Batch:
    """A batch made ready outside any transaction: who gets what, serials taken, PDFs staged."""

    event: Event
    kind: CertificateKind
    actor: User | None
    layout: rendering.Layout
    signatories: list[dict]
    job_id: int | None
    result: BatchResult
    todo: list[Request] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)  # of `todo`, read before any commit expires the users
    serials: list[str] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    views: list[rendering.CertificateView] = field(default_factory=list)
    staged: dict[int, files.StagedPdf] = field(default_factory=dict)
    language: str = ""
    issued_at: datetime | None = None
    hours: tuple[float, HoursUnit] = (0, HoursUnit.CLOCK)

    def discard_unrecorded(self) -> None:
        """Call once the recording unit has ended (committed or not): no PDF stays without its row."""
        for staged in self.staged.values():
            staged.discard_unless_committed()


def prepare_batch(event: Event, kind: CertificateKind, requests: list[Request], actor: User | None, *,
                  layout_name: str = DEFAULT_LAYOUT, signatories: list[dict] | None = None,
                  job_id: int | None = None) -> Batch:
    """Steps 1–2: sort out the ineligible (unless overridden with a reason) and holders, take serials,
    render and stage the PDFs. Outside any unit of work: nothing is locked while rendering."""
    signing_keys.ensure()  # the key the holders' credentials will be signed with (its own transaction)
    layout = rendering.get_layout(layout_name)
    batch = Batch(event=event, kind=kind, actor=actor, layout=layout, job_id=job_id, result=BatchResult(),
                  signatories=default_signatories(actor) if signatories is None else signatories)
    found = {c.user.id: c for c in eligibility.candidates(event, kind, [r.user.id for r in requests])}
    for request in requests:
        candidate = found.get(request.user.id)
        if candidate is None:
            batch.result.failed.append(Failure(request.user.id, request.user.full_name,
                                               str(MESSAGES["no_registration"])))
        elif candidate.has_certificate:
            batch.result.already.append(request.user.id)
        elif not candidate.eligible and not request.override_reason.strip():
            reasons = "; ".join(str(r) for r in candidate.reasons)
            batch.result.failed.append(Failure(request.user.id, request.user.full_name,
                                               str(MESSAGES["not_eligible"] % {"reasons": reasons})))
        else:
            batch.todo.append(request)
    if batch.todo:
        _render(batch)
    return batch


def _render(batch: Batch) -> None:
    event, todo = batch.event, batch.todo
    batch.language = rendering.language_for(batch.layout, event.language)
    batch.issued_at = clock.now()
    batch.hours = hours_for(event)
    batch.user_ids = [r.user.id for r in todo]  # before the commits below expire the users
    names = [r.holder_name or r.user.name_on_certificate for r in todo]
    batch.serials = allocate_serials(len(todo), batch.issued_at.year)
    batch.indices = status_list.allocate_indices(len(todo))
    batch.codes = [new_check_code() for _ in todo]
    batch.views = [view_for(event, serial=serial, check_code=code, kind=batch.kind, language=batch.language,
                            issued_at=batch.issued_at, holder_name=name, signatories=batch.signatories,
                            hours=batch.hours)
                   for name, serial, code in zip(names, batch.serials, batch.codes, strict=True)]
    parts, render_errors = _render_isolating(batch.layout, batch.views, rendering.logo_uri())
    try:
        for index, (request, pdf) in enumerate(zip(todo, parts, strict=True)):
            if pdf is None:
                batch.result.failed.append(Failure(request.user.id, request.user.full_name, render_errors[index]))
            else:
                batch.staged[index] = files.stage(batch.serials[index], pdf)
    except BaseException:
        batch.discard_unrecorded()
        raise


def record_batch(batch: Batch) -> BatchResult:
    """Step 3, inside the caller's unit of work: lock the event, re-check holders, insert the rows and
    emit the mails; each recorded PDF moves into place when the unit commits."""
    if not batch.staged:
        return batch.result
    event, result = batch.event, batch.result
    lock_row(Event, event.id)
    holders = set(eligibility.live_certificates(event.id, batch.kind))
    for index, (request, user_id) in enumerate(zip(batch.todo, batch.user_ids, strict=True)):
        staged = batch.staged.get(index)
        if staged is None:
            continue
        if user_id in holders:
            result.already.append(user_id)
            continue
        actor = batch.actor
        certificate = Certificate(
            serial=batch.serials[index], check_code=batch.codes[index], event_id=event.id, user_id=user_id,
            kind=batch.kind, holder_name=batch.views[index].holder_name, hours=batch.hours[0],
            hours_unit=batch.hours[1], language=batch.language,
            layout=batch.layout.name, signatories=batch.signatories, issued_at=batch.issued_at,
            issued_by_id=actor.id if actor else None, override_reason=request.override_reason.strip(),
            job_id=batch.job_id, pdf_sha256=staged.sha256, pdf_path=staged.path,
            status_list_index=batch.indices[index])
        certificate.event = event
        db.session.add(certificate)
        files.move_into_place_on_commit(staged)
        result.issued.append(certificate)
    db.session.flush()
    for certificate in result.issued:
        outbox.emit("certificates.issued", certificate_id=certificate.id)
    return result


def issue_batch(event: Event, kind: CertificateKind, requests: list[Request], actor: User | None, *,
                layout_name: str = DEFAULT_LAYOUT, signatories: list[dict] | None = None) -> BatchResult:
    """Issue certificates to the eligible among `requests` (or overridden with a reason); skip holders."""
    batch = prepare_batch(event, kind, requests, actor, layout_name=layout_name, signatories=signatories)
    try:
        with unit_of_work():
            return record_batch(batch)
    finally:
        batch.discard_unrecorded()


def issue_one(event: Event, user: User, kind: CertificateKind, actor: User, *, override_reason: str = "",
              layout_name: str = DEFAULT_LAYOUT) -> Certificate:
    """One person's certificate; an ineligible person only with an organiser's recorded reason."""
    result = issue_batch(event, kind, [Request(user, override_reason=override_reason)], actor,
                         layout_name=layout_name)
    if result.failed:
        raise ValidationFailed(result.failed[0].reason, field="reason")
    if result.already:
        raise Conflict(_l("This person already holds this certificate."))
    return result.issued[0]


# --- revocation and reissue -------------------------------------------------------------------------

def certificates_of(user: User) -> list[Certificate]:
    """The person's certificates, newest first (revoked and superseded ones included: /me shows their state)."""
    return list(db.session.execute(select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.issued_at.desc())).scalars())


def get_by_serial(serial: str) -> Certificate | None:
    return db.session.execute(select(Certificate).where(Certificate.serial == serial)).scalar_one_or_none()


def revoke(certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke with a reason the holder is mailed; the serial stays taken for ever."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MESSAGES["reason_required"], field="reason")
    with unit_of_work():
        lock_row(Event, certificate.event_id)
        certificate = db.session.get(Certificate, certificate.id, populate_existing=True)
        if certificate.revoked_at is not None:
            raise Conflict(MESSAGES["already_revoked"])
        certificate.revoked_at = clock.now()
        certificate.revoke_reason = reason
        certificate.revoked_by_id = actor.id
        outbox.emit("certificates.revoked", certificate_id=certificate.id)
    return certificate


def reissue(certificate: Certificate, actor: User, holder_name: str, reason: str = "") -> Certificate:
    """A corrected certificate under a new serial; the old one is superseded and links to it."""
    holder_name = " ".join((holder_name or "").split())
    if not holder_name:
        raise ValidationFailed(MESSAGES["name_required"], field="holder_name")
    if certificate.revoked_at is not None:
        raise Conflict(MESSAGES["already_revoked"])
    event = certificate.event
    layout = rendering.get_layout(certificate.layout)
    issued_at = clock.now()
    serial = allocate_serials(1, issued_at.year)[0]
    [index] = status_list.allocate_indices(1)
    code = new_check_code()
    view = view_for(event, serial=serial, check_code=code, kind=certificate.kind, holder_name=holder_name,
                    language=certificate.language, issued_at=issued_at, signatories=certificate.signatories,
                    hours=(certificate.hours, certificate.hours_unit))
    staged = files.stage(serial, rendering.render_batch(layout, [view], rendering.logo_uri())[0])
    reason = reason.strip() or str(_l("Reissued with corrected details."))
    try:
        with unit_of_work():
            lock_row(Event, event.id)
            old = db.session.get(Certificate, certificate.id, populate_existing=True)
            if old.revoked_at is not None:
                raise Conflict(MESSAGES["already_revoked"])
            old.revoked_at = issued_at
            old.revoke_reason = reason
            old.revoked_by_id = actor.id
            db.session.flush()
            new = Certificate(serial=serial, check_code=code, event_id=event.id, user_id=old.user_id, kind=old.kind,
                              holder_name=holder_name, hours=old.hours, hours_unit=old.hours_unit,
                              language=old.language, layout=old.layout,
                              signatories=old.signatories, issued_at=issued_at, issued_by_id=actor.id,
                              override_reason=old.override_reason, pdf_sha256=staged.sha256, pdf_path=staged.path,
                              status_list_index=index)
            new.event = event
            db.session.add(new)
            db.session.flush()
            old.superseded_by_id = new.id
            old.superseded_by = new
            files.move_into_place_on_commit(staged)
            outbox.emit("certificates.issued", certificate_id=new.id)
    finally:
        staged.discard_unless_committed()
    return new


def certificate_in_event(event: Event, serial: str) -> Certificate:
    certificate = get_by_serial(serial)
    if certificate is None or certificate.event_id != event.id:
        raise NotFound()
    return certificate
