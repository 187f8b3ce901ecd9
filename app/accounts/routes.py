"""Sign-up, log in/out, personal page, profile, and the administrators' user and organisation lists."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app import permissions
from app.accounts import consent, credentials, services, verification
from app.accounts.forms import (
    AccountActiveForm,
    ApiTokenForm,
    ChangePasswordForm,
    ConfirmConsentForm,
    ConfirmEmailForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    ResetRequestForm,
    RolesForm,
    role_choices,
)
from app.accounts.regions import region_groups, region_name, region_select_choices
from app.accounts.signals import me_page_wanted
from app.core import sections
from app.errors import DomainError, ValidationFailed, apply_to_form
from app.extensions import limiter, login_manager
from app.routing import act, confirmation, form_status, signed_in_user, submit
from app.security import safe_next

bp = Blueprint("accounts", __name__)
bp.add_app_template_global(region_name)  # formats a code, reads no data

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to open this page.")
login_manager.localize_callback = str  # renders the lazy message in the visitor's language
login_manager.login_message_category = "info"

USERS_PER_PAGE = 25


@login_manager.user_loader
def load_user(session_id: str):
    """The session keeps "<id>.<session_version>": a password reset or change, or disabling the
    account, bumps the version and every older session ends."""
    return credentials.user_for_session_id(session_id)


@bp.before_app_request
def load_api_user():
    """API requests act as the owner of a bearer token (DESIGN §5); every request decides afresh."""
    g.api_user, g.api_token_invalid = None, False
    header = request.headers.get("Authorization", "")
    if request.path.startswith("/api/") and header.startswith("Bearer "):
        g.api_user = services.user_for_api_token(header.removeprefix("Bearer ").strip())
        g.api_token_invalid = g.api_user is None


def _start_session(user) -> None:
    """Sign in on a fresh session: nothing set before sign-in (a planted cookie, the anonymous CSRF
    token) carries over, except the visitor's language choice."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)


def _organisation_form(form) -> None:
    form.region.choices = region_select_choices()


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.me"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors = list(form.password.errors) + [_("Wrong email or password.")]
        else:
            _start_session(user)
            flash(_("Welcome, %(name)s!", name=user.full_name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("accounts.me")))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit("5/minute;30/hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.me"))
    form = RegisterForm()
    _organisation_form(form)
    # One answer whether the address was new (a welcome mail with the confirmation link) or
    # had an account (its owner was mailed): nobody is signed in, the same page follows.
    signed_up = submit(form, lambda: services.sign_up(
        email=form.email.data,
        password=form.password.data,
        full_name=form.full_name.data,
        organisation_name=form.organisation.data,
        organisation_kind=form.organisation_kind.data,
        region_code=form.region.data,
        locale=str(get_locale()),
        consent_given=bool(form.consent.data),
    ), done=_("Check your mail: we have sent a message to %(email)s. Follow the link in it to confirm "
              "your address, then log in.", email=form.email.data), category="info",
        to=url_for("accounts.login", next=safe_next(request.args.get("next"), None)))
    return signed_up or (render_template("accounts/register.html", form=form,
                                         consent_text=consent.consent_text(get_locale()),
                                         consent_version=consent.CURRENT_CONSENT_VERSION,
                                         organisations=services.approved_organisations()), form_status(form))


@bp.post("/auth/logout")
@login_required
def logout():
    credentials.log_out(current_user._get_current_object())  # a copy of this session cookie stops working
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect("/")


def _reset_address_key() -> str:
    """Rate-limit key of a reset request: the address asked for, whoever asks."""
    return "reset-address:" + services.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/auth/reset-password", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"], key_func=_reset_address_key)
@limiter.limit("10/hour", methods=["POST"])
def reset_password_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        credentials.request_password_reset(form.email.data)
        flash(_("If an account uses %(email)s, a link to set a new password is on its way. It works once, "
                "for one hour.", email=form.email.data), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/auth/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def reset_password(token: str):
    if not credentials.reset_token_is_valid(token):  # unknown, used or expired: like any token, a 404
        return render_template("accounts/reset_request.html", form=ResetRequestForm(formdata=None),
                               expired=True), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user, revoked_tokens = credentials.reset_password(token, form.password.data)
        except DomainError as error:
            apply_to_form(form, error)
        else:
            _start_session(user)
            flash(_("Your new password is set. Other sessions of your account have ended."), "success")
            if revoked_tokens:
                flash(ngettext("%(num)d API token of your account was revoked: make a new one on this page "
                               "where a site or script needs it.",
                               "%(num)d API tokens of your account were revoked: make new ones on this page "
                               "where sites or scripts need them.", revoked_tokens), "warning")
            return redirect(url_for("accounts.me"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/auth/confirm-email/<token>", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
def confirm_email(token: str):
    """The mailed link shows a button; only its POST confirms (mail scanners open links as well)."""
    if verification.user_for_token(token) is None:  # forged, expired or used: like any token, a 404
        return render_template("accounts/confirm_email.html", form=None), 404
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        user = verification.confirm(token)
        flash(_("Your address is confirmed: you can register for events."), "success")
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(url_for("accounts.me"))
        return redirect(url_for("accounts.login"))
    return render_template("accounts/confirm_email.html", form=form)


@bp.post("/account/confirm-email/resend")
@login_required
@limiter.limit("5/hour")
def resend_confirmation():
    form = ResendConfirmationForm()
    back = safe_next(form.next.data, url_for("accounts.me"))
    if not form.validate_on_submit():
        flash(_("The form has expired; please try again."), "danger")
    elif services.resend_confirmation(current_user._get_current_object()):
        days = verification.VERIFY_VALID_FOR.days
        flash(ngettext("We have sent a new link to %(email)s. It works for %(days)d day.",
                       "We have sent a new link to %(email)s. It works for %(days)d days.", days,
                       email=current_user.email, days=days), "info")
    else:
        flash(_("Your address is confirmed already."), "info")
    return redirect(back)


@bp.get("/me")
@login_required
def me():
    return _me_page(current_user._get_current_object(), token_form=ApiTokenForm(), new_token=None)


def _me_page(user, **context) -> str:
    """/me: the profile, the consent prompt, API tokens, and each area's part (registrations, quotas,
    certificates, calendar) loaded by that area when asked through `me_page_wanted`."""
    return render_template("accounts/me.html", user=user, api_tokens=services.api_tokens(user),
                           sections=sections.collect(me_page_wanted, user), **_consent_prompt(user), **context)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"])
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()

    def change_and_stay_signed_in():
        credentials.change_password(user, current_password=form.current_password.data, password=form.password.data)
        login_user(user)  # this session goes on with the new session version
    changed = submit(form, change_and_stay_signed_in, to=url_for("accounts.me"),
                     done=_("Your password has been changed. Other sessions of your account have ended."))
    return changed or (render_template("accounts/change_password.html", form=form), form_status(form))


@bp.post("/account/api-tokens")
@login_required
def create_api_token():
    user = current_user._get_current_object()
    form = ApiTokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            new_token = services.create_named_api_token(user, form.name.data)
        except DomainError as error:
            apply_to_form(form, error)
    # the token is shown on this one answer and never again (only its hash is kept)
    response = _me_page(user, token_form=ApiTokenForm(formdata=None) if new_token else form, new_token=new_token)
    return (response, 201) if new_token else (response, 422)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    token = permissions.require("api_token.own", services.get_api_token(token_id))
    asked = confirmation(_("Revoke the token “%(name)s”?", name=token.name), button=_("Yes, revoke it"),
                         back=url_for("accounts.me") + "#api-tokens-heading",
                         consequences=[_("Programs that use it stop working at once.")])
    if asked is not None:
        return asked
    name = services.revoke_api_token(token)
    flash(_("The token “%(name)s” was revoked; it no longer works.", name=name), "info")
    return redirect(url_for("accounts.me") + "#api-tokens-heading")


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    _organisation_form(form)
    if request.method == "GET":
        form.organisation.data = user.organisation.name if user.organisation else ""
        form.region.data = user.region_code or ""
        form.locale.data = user.locale
    saved = submit(form, lambda: services.update_profile(
        user,
        full_name=form.full_name.data,
        print_name=form.print_name.data,
        organisation_name=form.organisation.data,
        organisation_kind=form.organisation_kind.data,
        region_code=form.region.data,
        locale=form.locale.data,
    ), done=_("Your profile has been saved."), to=url_for("accounts.me"))
    return saved or (render_template("accounts/profile.html", form=form,
                                     organisations=services.approved_organisations(), **_consent_prompt(user)),
                     form_status(form))


def _consent_prompt(user) -> dict:
    """What /me and the profile show a person who has not agreed themselves to the current consent text."""
    if not consent.needs_consent(user):
        return {"consent_prompt": None}
    return {"consent_prompt": {"text": consent.consent_text(get_locale()), "version": consent.CURRENT_CONSENT_VERSION,
                               "form": ConfirmConsentForm()}}


@bp.post("/account/consent")
@login_required
def confirm_consent():
    form = ConfirmConsentForm()
    if form.validate_on_submit():
        consent.confirm_consent(current_user._get_current_object())
        flash(_("Thank you: your consent is recorded."), "success")
    else:
        flash(_("The form has expired; please try again."), "danger")
    return redirect(url_for("accounts.me"))


@bp.get("/manage/consents.csv")
@login_required
def consents_csv():
    """Every consent record, for the administrator (the operator's register of consents)."""
    permissions.require("users.manage")
    return Response(consent.all_consent_records_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=praktika-consents.csv"})


@bp.get("/manage/users")
@login_required
def manage_users():
    permissions.require("users.manage")
    filters = {
        "q": request.args.get("q", "").strip(),
        "role": request.args.get("role", ""),
        "region": request.args.get("region", ""),
    }
    page = request.args.get("page", 1, type=int) or 1
    try:
        users = services.search_users(q=filters["q"], role=filters["role"] or None,
                                      region_code=filters["region"] or None, page=page, per_page=USERS_PER_PAGE)
    except ValidationFailed:
        abort(400)
    return render_template("accounts/manage_users.html", users=users, filters=filters,
                           role_choices=role_choices(), region_groups=region_groups(),
                           roles_form=RolesForm(), active_form=AccountActiveForm())


@bp.post("/manage/users/<int:user_id>/roles")
@login_required
def manage_user_roles(user_id: int):
    permissions.require("users.manage")
    user = services.get_user(user_id)
    form = RolesForm()
    return act(form, lambda: services.set_roles(user, form.roles.data, actor=signed_in_user()),
               done=lambda _result: _("Roles of %(name)s saved.", name=user.full_name),
               invalid=_("Choose roles from the list."), to=_safe_back())


@bp.post("/manage/users/<int:user_id>/active")
@login_required
def manage_user_active(user_id: int):
    permissions.require("users.manage")
    user = services.get_user(user_id)
    form = AccountActiveForm()
    return act(form, lambda: credentials.set_active(user, form.active.data == "1", actor=signed_in_user()),
               done=lambda _result: _("The account of %(name)s is active.", name=user.full_name) if user.active
               else _("The account of %(name)s is disabled: it cannot sign in or use its tokens; its data stays.",
                      name=user.full_name),
               category=lambda _result: "success" if user.active else "info",
               invalid=_("Choose active or disabled."), to=_safe_back())


@bp.get("/manage/organisations")
@login_required
def manage_organisations():
    permissions.require("users.manage")
    return render_template("accounts/manage_organisations.html", organisations=services.list_organisations())


@bp.post("/manage/organisations/<int:organisation_id>/approve")
@login_required
def approve_organisation(organisation_id: int):
    permissions.require("users.manage")
    organisation = services.approve_organisation(organisation_id)
    flash(_("%(name)s is approved.", name=organisation.name), "success")
    return redirect(url_for("accounts.manage_organisations"))


@bp.post("/manage/organisations/<int:organisation_id>/reject")
@login_required
def reject_organisation(organisation_id: int):
    permissions.require("users.manage")
    asked = confirmation(_("Remove this proposed organisation?"), button=_("Yes, remove it"),
                         back=url_for("accounts.manage_organisations"),
                         consequences=[_("Its members keep their accounts, without an organisation.")])
    if asked is not None:
        return asked
    name = services.reject_organisation(organisation_id)
    flash(_("%(name)s was removed.", name=name), "info")
    return redirect(url_for("accounts.manage_organisations"))


def _safe_back() -> str:
    """Back to the filtered list the form was posted from."""
    default = url_for("accounts.manage_users")
    target = safe_next(request.form.get("next"), default)
    return target if target.startswith("/manage/users") else default
