"""Certificate pages: parse → load scoped to the event → permissions.require → one service call.

Public: /verify/<serial> (+ .json, .credential, PDF upload), /credentials/status/<list>, /.well-known/jwks.json.
Holder/organiser/admin: /certificates/<serial>.pdf. Organisers: /manage/events/<id>/certificates/….
"""
from urllib.parse import urlencode

from flask import Blueprint, Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.signals import me_page_wanted
from app.certificates import credentials, eligibility, issuance, jobs, rendering, status_list, verification
from app.certificates.forms import (
    ActionForm,
    IssueForm,
    LookupForm,
    OverrideForm,
    ReissueForm,
    RevokeForm,
    UploadForm,
)
from app.certificates.hours import hours_text
from app.certificates.models import Certificate, CertificateKind
from app.core.sections import Section
from app.core.storage import MissingFile
from app.errors import NotFound, ValidationFailed
from app.events.models import Event
from app.extensions import db, limiter
from app.permissions import can, require
from app.routing import confirmation, submit

bp = Blueprint("certificates", __name__)
# Seconds a verifier may keep the JWK Set: short, so a rotation's new key is seen soon.
JWKS_MAX_AGE = 60


def _user():
    return current_user._get_current_object()


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound()
    return require("event.certificates", event)


def _kind(value: str | None) -> CertificateKind:
    try:
        return CertificateKind(value or CertificateKind.PARTICIPATION.value)
    except ValueError:
        raise ValidationFailed(_("Unknown certificate kind."), field="kind") from None


def _layout_choices():
    return [(layout.name, layout.title) for layout in rendering.layouts().values()]


def _issue_form(event: Event, kind: CertificateKind) -> IssueForm:
    form = IssueForm(kind=kind.value)
    form.layout.choices = _layout_choices()
    if not form.is_submitted():
        form.signatory_name.data = form.signatory_name.data or _user().name_on_certificate
        form.signatory_role.data = form.signatory_role.data or _("Programme organiser")
    return form


def _issued(event: Event) -> list[Certificate]:
    return list(db.session.execute(select(Certificate).where(Certificate.event_id == event.id)
                                   .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).scalars())


# --- organisers -----------------------------------------------------------------------------

@bp.get("/manage/events/<int:event_id>/certificates")
@login_required
def manage(event_id: int):
    event = _event(event_id)
    kind = _kind(request.args.get("kind"))
    form = _issue_form(event, kind)
    people = eligibility.candidates(event, kind)
    return render_template("certificates/manage.html", event=event, kind=kind, form=form, people=people,
                           issued=_issued(event), jobs=jobs.jobs_of_event(event),
                           kinds=list(CertificateKind), layouts=rendering.layouts(),
                           override_form=OverrideForm(), revoke_form=RevokeForm(), reissue_form=ReissueForm())


@bp.post("/manage/events/<int:event_id>/certificates/jobs")
@login_required
def create_job(event_id: int):
    event = _event(event_id)
    kind = _kind(request.form.get("kind"))
    form = _issue_form(event, kind)
    signatories = [{"name": form.signatory_name.data.strip(), "role": (form.signatory_role.data or "").strip()}] \
        if (form.signatory_name.data or "").strip() else []
    started = submit(form, lambda: jobs.create_job(event, kind, form.user_ids.data or [], _user(),
                                                   layout_name=form.layout.data, signatories=signatories),
                     done=_("Issuing has started."),
                     to=lambda job: url_for("certificates.job_page", event_id=event.id, job_id=job.id))
    if started:
        return started
    people = eligibility.candidates(event, kind)
    return render_template("certificates/manage.html", event=event, kind=kind, form=form, people=people,
                           issued=_issued(event), jobs=jobs.jobs_of_event(event),
                           kinds=list(CertificateKind), layouts=rendering.layouts(),
                           override_form=OverrideForm(), revoke_form=RevokeForm(), reissue_form=ReissueForm()), 422


def _job(event: Event, job_id: int):
    job = jobs.job_in_scope(job_id)
    if job.event_id != event.id:
        raise NotFound()
    return job


@bp.get("/manage/events/<int:event_id>/certificates/jobs/<int:job_id>")
@login_required
def job_page(event_id: int, job_id: int):
    event = _event(event_id)
    job = _job(event, job_id)
    return render_template("certificates/job.html", event=event, job=job, progress=jobs.progress_of(job),
                           form=ActionForm())


@bp.get("/manage/events/<int:event_id>/certificates/jobs/<int:job_id>.json")
@login_required
def job_progress(event_id: int, job_id: int):
    event = _event(event_id)
    job = _job(event, job_id)
    return jsonify(jobs.progress_of(job).as_dict())


@bp.post("/manage/events/<int:event_id>/certificates/jobs/<int:job_id>/rerun")
@login_required
def rerun_job(event_id: int, job_id: int):
    event = _event(event_id)
    job = _job(event, job_id)
    if ActionForm().validate_on_submit():
        jobs.restart_job(job, _user())
        flash(_("The job runs again: only what is missing is issued."), "success")
    return redirect(url_for("certificates.job_page", event_id=event.id, job_id=job.id))


@bp.post("/manage/events/<int:event_id>/certificates/issue")
@login_required
def issue_one(event_id: int):
    event = _event(event_id)
    form = OverrideForm()
    kind = _kind(form.kind.data)
    if not form.validate_on_submit():
        raise ValidationFailed(_("Choose a person."), field="user_id")
    user = db.session.get(User, form.user_id.data)
    if user is None or eligibility.candidate(event, kind, user.id) is None:
        raise NotFound()
    certificate = issuance.issue_one(event, user, kind, _user(), override_reason=form.reason.data or "",
                                     layout_name=form.layout.data or issuance.DEFAULT_LAYOUT)
    flash(_("Certificate %(serial)s issued to %(name)s.", serial=certificate.serial, name=certificate.holder_name),
          "success")
    return redirect(url_for("certificates.manage", event_id=event.id, kind=kind.value))


@bp.get("/manage/events/<int:event_id>/certificates/preview.pdf")
@login_required
def preview(event_id: int):
    event = _event(event_id)
    kind = _kind(request.args.get("kind"))
    pdf = issuance.sample_pdf(event, request.args.get("layout") or issuance.DEFAULT_LAYOUT,
                              request.args.get("language") or event.language, kind, _user())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=preview.pdf", "Cache-Control": "no-store"})


@bp.post("/manage/events/<int:event_id>/certificates/<serial>/revoke")
@login_required
def revoke(event_id: int, serial: str):
    event = _event(event_id)
    certificate = require("certificate.manage", issuance.certificate_in_event(event, serial))
    form = RevokeForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_("Give a reason: it is sent to the holder."), field="reason")
    asked = confirmation(_("Revoke certificate %(serial)s?", serial=serial), button=_("Yes, revoke it"),
                         back=url_for("certificates.manage", event_id=event.id, kind=certificate.kind.value),
                         consequences=[_("The holder is mailed this reason: %(reason)s", reason=form.reason.data),
                                       _("Checking its code shows it as revoked from now on.")])
    if asked is not None:
        return asked
    issuance.revoke(certificate, _user(), form.reason.data)
    flash(_("Certificate %(serial)s revoked.", serial=serial), "success")
    return redirect(url_for("certificates.manage", event_id=event.id, kind=certificate.kind.value))


@bp.post("/manage/events/<int:event_id>/certificates/<serial>/reissue")
@login_required
def reissue(event_id: int, serial: str):
    event = _event(event_id)
    certificate = require("certificate.manage", issuance.certificate_in_event(event, serial))
    form = ReissueForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_("Give the name as it should be printed."), field="holder_name")
    new = issuance.reissue(certificate, _user(), form.holder_name.data, form.reason.data or "")
    flash(_("Certificate %(old)s replaced by %(new)s.", old=serial, new=new.serial), "success")
    return redirect(url_for("certificates.manage", event_id=event.id, kind=certificate.kind.value))


# --- holders ---------------------------------------------------------------------------------

@bp.get("/certificates/<serial>.pdf")
@login_required
def pdf(serial: str):
    certificate = issuance.get_by_serial(verification.normalise_serial(serial))
    if certificate is None:
        raise NotFound()
    require("certificate.pdf", certificate)
    try:
        body = issuance.pdf_bytes(certificate)
    except MissingFile as erased:  # a revoked certificate's PDF, erased with its holder's account
        raise NotFound() from erased
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={certificate.serial}.pdf",
                             "Cache-Control": "private, no-store"})


@me_page_wanted.connect
def _my_certificates(user) -> Section | None:
    """The person's certificates on /me, newest first (nothing for someone without one)."""
    mine = issuance.certificates_of(user)
    return Section("certificates/_me.html", {"certificates": mine}, order=30) if mine else None


@bp.app_template_filter()
def certificate_hours(certificate: Certificate) -> str:
    """A certificate's volume as printed on it, in the page's language: "2 ак. ч."."""
    return hours_text(certificate.hours, certificate.hours_unit)


@bp.app_template_global()
def linkedin_url(certificate: Certificate) -> str:
    issued = certificate.issued_at
    params = {"startTask": "CERTIFICATION_NAME", "name": f"{certificate.kind.label}: {certificate.event.text_in(certificate.language)['title']}",
              "organizationName": issuance.issuer_name(), "issueYear": issued.year, "issueMonth": issued.month,
              "certUrl": issuance.verify_url(certificate.serial, certificate.check_code),
              "certId": certificate.serial}
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


# --- anyone ----------------------------------------------------------------------------------

@bp.get("/verify")
def lookup():
    form = LookupForm(request.args)
    if request.args and form.validate():
        serial = verification.normalise_serial(form.serial.data)
        return redirect(url_for("certificates.verify_page", serial=serial, c=form.c.data or None))
    return render_template("certificates/lookup.html", form=form)


# Wrong check codes, counted per client address over every door that takes one; once a client has
# had ten wrong in a minute, every code it sends gets 429 until the minute is over (a 429 for wrong
# codes only would itself tell a guesser which code is right). Right codes never count.
check_code_limit = limiter.shared_limit(
    "10/minute", scope="verify-check-code", exempt_when=lambda: not request.values.get("c"),
    deduct_when=lambda response: g.get("wrong_check_code", False))


def _checked(serial: str, code: str | None) -> verification.Verification:
    result = verification.verify(serial, code)
    if result.wrong_code(code):
        g.wrong_check_code = True
    return result


def _verify_page(serial: str, upload_form: UploadForm, upload_result=None, status: int = 200):
    result = _checked(serial, request.args.get("c"))
    is_holder = current_user.is_authenticated and result.certificate is not None \
        and result.certificate.user_id == current_user.id
    dates = issuance.event_dates(result.certificate.event, str(get_locale())) if result.certificate else ""
    return render_template("certificates/verify.html", result=result, upload_form=upload_form,
                           upload_result=upload_result, is_holder=is_holder, dates=dates,
                           code=request.args.get("c") or ""), (404 if result.certificate is None else status)


@bp.get("/verify/<serial>.json")
@check_code_limit
def verify_json(serial: str):
    result = _checked(serial, request.args.get("c"))
    response = jsonify(verification.as_json(result))
    response.headers["Cache-Control"] = "no-store"
    return response, (404 if result.certificate is None else 200)


@bp.get("/verify/<serial>.credential")
@check_code_limit
def verify_credential(serial: str):
    """The signed credential names its holder: only with the printed check code, or to the holder."""
    result = _checked(serial, request.args.get("c"))
    certificate = result.certificate
    if certificate is None or not (result.code_ok or can("certificate.credential", certificate)):
        raise NotFound()
    return Response(credentials.signed_credential(certificate), mimetype="application/vc+jwt",
                    headers={"Cache-Control": "private, no-store"})


@bp.get("/verify/<serial>")
@check_code_limit
def verify_page(serial: str):
    return _verify_page(serial, UploadForm())


@bp.post("/verify/<serial>")
@check_code_limit
def verify_upload(serial: str):
    form = UploadForm()
    result = verification.verify(serial)
    if result.certificate is None:
        return _verify_page(serial, form)
    if not form.validate_on_submit():
        return _verify_page(serial, form, status=422)
    matches = verification.matches_upload(result.certificate, form.pdf.data.read())
    if matches and not (current_user.is_authenticated and current_user.id == result.certificate.user_id):
        verification.record_check(result.certificate)
    return _verify_page(serial, UploadForm(), upload_result=matches)


@bp.post("/verify/<serial>/seen")
@check_code_limit
def verify_seen(serial: str):
    """Counted by the verify page's script when a visitor who is not the holder sees the details."""
    result = _checked(serial, request.form.get("c"))
    if not ActionForm().validate_on_submit() or not result.shows_details:
        return jsonify({"counted": False}), 422
    if current_user.is_authenticated and current_user.id == result.certificate.user_id:
        return jsonify({"counted": False})
    verification.record_check(result.certificate)
    return jsonify({"counted": True})


@bp.get("/credentials/status/<int:number>")
def status_list_credential(number: int):
    """A signed BitstringStatusListCredential; revalidated by its ETag (304 while nothing changed)."""
    status = status_list.load(number)
    if status is None:
        raise NotFound()
    if request.if_none_match.contains_weak(status.etag):
        response = Response(status=304)
    else:
        response = Response(credentials.sign(credentials.status_list_document(status)),
                            mimetype="application/vc+jwt")
    response.set_etag(status.etag, weak=True)
    response.headers["Cache-Control"] = f"public, max-age={status_list.TTL_SECONDS}"
    return response


@bp.get("/.well-known/jwks.json")
def jwks():
    """Cached briefly (a verifier meeting a new kid after a rotation fetches again anyway), and
    revalidated by an ETag of the keys it lists."""
    response = jsonify(credentials.jwks())
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)
