"""What every manage route shares, after Indico's request lifecycle (STYLE rule 1): load the object named in
the URL and `require` it, run the form's one service call, and turn a `DomainError` into a message, either
beside the form's fields (the caller shows the form again, 422) or as a flash before a redirect.

`done` and `to` are either ready values or functions of what the service call returned, so a message can
name the state after the change and a redirect can point at a new object.
"""
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app.errors import DomainError, NotFound, apply_to_form
from app.extensions import db
from app.permissions import require


def load(model, object_id: int, action: str):
    """The row, or 404 when it is missing or `action` is not allowed on it (ids never leak)."""
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound()
    return require(action, obj)


def found(obj):
    """What a lookup returned, or 404 when it found nothing."""
    if obj is None:
        abort(404)
    return obj


def load_child(model, object_id: int, **parent):
    """A row loaded through its parent (`programme_id=programme.id`): 404 when it is missing or belongs to
    another parent, so an id from elsewhere never leaks (Indico loads children the same way)."""
    obj = db.session.get(model, object_id)
    return found(obj if obj is not None and all(getattr(obj, name) == value for name, value in parent.items())
                 else None)


def flash_invalid(form) -> None:
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")


def form_status(form) -> int:
    """422 for a form shown again with messages, 200 for a fresh one."""
    return 422 if form.errors or form.form_errors else 200


def _given(value, result):
    return value(result) if isinstance(value, Callable) else value


def signed_in_user():
    """The user object itself, not the request-bound proxy: services keep it in rows and history."""
    return current_user._get_current_object()


def submit(form, action: Callable, *, done, to, catching: type[DomainError] = DomainError,
           category: str = "success") -> Response | None:
    """A form's post: when the form validates, `action()` runs; on success `done` is flashed and the redirect
    to `to` returned. A refusal (`catching`; other errors reach the app's handler) goes beside the fields and
    None is returned: the caller renders the form again."""
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except catching as error:
        apply_to_form(form, error)
        return None
    flash(_given(done, result), category)
    return redirect(_given(to, result))


CONFIRM_FIELD = "confirm"


def confirmation(question: str, *, button: str, back: str, consequences=()) -> str | None:
    """Every destructive post asks first, without JavaScript: a post without `confirm=yes` changes nothing
    and answers with the confirmation page (what will happen), whose form posts the same fields again with
    `confirm=yes`. Call it after the object is loaded and `require`d (another's object stays a 404); None
    means confirmed, go on. The CSRF token was checked before the view ran (CSRFProtect)."""
    if request.form.get(CONFIRM_FIELD) == "yes":
        return None
    fields = [(name, value) for name, values in request.form.lists() for value in values
              if name not in ("csrf_token", CONFIRM_FIELD)]
    return render_template("_confirm.html", question=question, button=button, back=back,
                           consequences=[line for line in consequences if line], fields=fields,
                           action=request.full_path.rstrip("?"))


def act(form, action: Callable, *, done, to: str, category="success", invalid: str | None = None) -> Response:
    """An action button's post: `action()` runs when the form (its CSRF token) validates; its result, its
    refusal or the form's own errors (or the one message `invalid`) are flashed, and the answer is always the
    redirect to `to`. `category`, like `done`, may depend on the result."""
    if not form.validate_on_submit():
        if invalid is None:
            flash_invalid(form)
        else:
            flash(invalid, "danger")
        return redirect(to)
    try:
        result = action()
    except DomainError as error:
        flash(str(error.message), "danger")
    else:
        flash(_given(done, result), _given(category, result))
    return redirect(to)
