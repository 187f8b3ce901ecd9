"""The person's own data: the JSON download, deleting the account, withdrawing consent (HTTP only;
the rules are in app/privacy/services.py)."""
import json

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user

from app.accounts.forms import ConfirmPasswordForm
from app.extensions import limiter
from app.privacy import services
from app.routing import signed_in_user, submit

bp = Blueprint("privacy", __name__)


@bp.get("/account/data.json")
@login_required
def my_data():
    """Everything Praktika holds about the person, as a JSON download (GDPR art. 15 and 20). Writes nothing."""
    user = current_user._get_current_object()
    body = json.dumps(services.export_data(user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=praktika-my-data-{user.id}.json"})


def _render_delete(delete_form=None, withdraw_form=None, status: int = 200):
    return render_template("privacy/delete_account.html",
                           delete_form=delete_form or ConfirmPasswordForm(formdata=None),
                           withdraw_form=withdraw_form or ConfirmPasswordForm(formdata=None, prefix="withdraw")), status


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"])
def delete_account():
    if request.method == "GET":
        return _render_delete()
    form = ConfirmPasswordForm()
    return _confirmed_and_signed_out(form, services.delete_account,
                                     _l("Your account is deleted and your data are anonymised.")) \
        or _render_delete(delete_form=form, status=422)


@bp.post("/account/consent/withdraw")
@login_required
@limiter.limit("10/hour")
def withdraw_consent():
    form = ConfirmPasswordForm(prefix="withdraw")
    return _confirmed_and_signed_out(form, services.withdraw_consent,
                                     _l("Your consent is withdrawn: the organisers of your events were told, and "
                                        "your data are anonymised.")) \
        or _render_delete(withdraw_form=form, status=422)


def _confirmed_and_signed_out(form, anonymise, done):
    """Deleting the account and withdrawing consent alike: the password confirms, `anonymise(user, password)`
    runs, the person is signed out and sent home with `done`, translated once signed out as before; None when
    the form is to be shown again."""
    def anonymise_and_sign_out():
        anonymise(signed_in_user(), form.password.data)
        logout_user()
    return submit(form, anonymise_and_sign_out, done=lambda _result: str(done), to="/", category="info")
