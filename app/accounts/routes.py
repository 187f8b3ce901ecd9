"""Sign-up, log in/out, personal page."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import services
from app.accounts.forms import LoginForm, RegisterForm
from app.accounts.models import User
from app.accounts.regions import region_choices
from app.errors import DomainError, apply_to_form
from app.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str):
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@bp.before_app_request
def load_api_user():
    """API requests act as the owner of a bearer token (DESIGN §5)."""
    header = request.headers.get("Authorization", "")
    if request.path.startswith("/api/") and header.startswith("Bearer "):
        g.api_user = services.user_for_api_token(header.removeprefix("Bearer ").strip())
        g.api_token_invalid = g.api_user is None


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("accounts.me")


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
            login_user(user)
            flash(_("Welcome, %(name)s!", name=user.full_name), "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit("5/minute;30/hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.me"))
    form = RegisterForm()
    form.region.choices = region_choices()
    if form.validate_on_submit():
        try:
            user = services.sign_up(
                email=form.email.data,
                password=form.password.data,
                full_name=form.full_name.data,
                organisation_name=form.organisation.data,
                region_code=form.region.data,
                locale=str(get_locale()),
            )
        except DomainError as error:
            apply_to_form(form, error)
        else:
            login_user(user)
            flash(_("Your account is ready."), "success")
            return redirect(url_for("accounts.me"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.post("/auth/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect("/")


@bp.get("/me")
@login_required
def me():
    return render_template("accounts/me.html", user=current_user)
