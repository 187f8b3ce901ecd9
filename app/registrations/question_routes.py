"""The organiser's registration questions of an event, and the download of who consented to what."""
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.exports import csv_response, csv_text
from app.events.models import Event
from app.registrations import exports, questions
from app.registrations.blueprint import bp, load_event
from app.registrations.forms import ActionForm, MoveForm, QuestionForm
from app.routing import act, confirmation, flash_invalid, submit


def _question_data(form: QuestionForm) -> dict:
    return {name: form[name].data for name in ("kind", "label", "help_text", "required", "options",
                                                "min_value", "max_value")}


def _render_questions(event: Event, form: QuestionForm, status: int = 200):
    return render_template("registrations/manage_questions.html", event=event, form=form,
                           questions=questions.event_questions(event.id), counts=questions.answer_counts(event.id),
                           action_form=ActionForm(), move_form=MoveForm(formdata=None)), status


@bp.route("/manage/events/<int:event_id>/questions", methods=["GET", "POST"])
@login_required
def manage_questions(event_id: int):
    event = load_event(event_id, "event.edit")
    form = QuestionForm() if request.method == "POST" else QuestionForm(formdata=None)
    added = submit(form, lambda: questions.add_question(event, _question_data(form)),
                   done=lambda question: _("The question “%(label)s” is added.", label=question.label),
                   to=url_for(".manage_questions", event_id=event.id))
    return added or _render_questions(event, form, 422 if form.errors else 200)


@bp.route("/manage/events/<int:event_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(event_id: int, question_id: int):
    event = load_event(event_id, "event.edit")
    question = questions.question_in_event(event, question_id)
    if request.method == "GET":
        form = QuestionForm(obj=question)
        form.kind.data = question.kind.value
        form.options.data = "\n".join(question.options or [])
        form.min_value.data = questions.number_text(question.min_value)
        form.max_value.data = questions.number_text(question.max_value)
    else:
        form = QuestionForm()
    saved = submit(form, lambda: questions.update_question(question, _question_data(form)),
                   done=lambda _result: _("The question “%(label)s” is saved.", label=question.label),
                   to=url_for(".manage_questions", event_id=event.id))
    if saved:
        return saved
    return render_template("registrations/edit_question.html", event=event, question=question, form=form,
                           answered=questions.answer_counts(event.id).get(question.id, 0)), 422 if form.errors else 200


@bp.post("/manage/events/<int:event_id>/questions/<int:question_id>/delete")
@login_required
def delete_question(event_id: int, question_id: int):
    event = load_event(event_id, "event.edit")
    question = questions.question_in_event(event, question_id)
    asked = confirmation(_("Delete the question “%(label)s”?", label=question.label),
                         button=_("Yes, delete the question"), back=url_for(".manage_questions", event_id=event.id),
                         consequences=[_("Its answers are deleted with it.")])
    if asked is not None:
        return asked
    return act(ActionForm(), lambda: questions.delete_question(question),
               done=lambda label: _("The question “%(label)s” is deleted.", label=label), category="info",
               to=url_for(".manage_questions", event_id=event.id))


@bp.post("/manage/events/<int:event_id>/questions/<int:question_id>/move")
@login_required
def move_question(event_id: int, question_id: int):
    event = load_event(event_id, "event.edit")
    question = questions.question_in_event(event, question_id)
    form = MoveForm()
    if form.validate_on_submit():
        questions.move_question(question, form.direction.data)
    else:
        flash_invalid(form)
    return redirect(url_for(".manage_questions", event_id=event.id))


@bp.get("/manage/events/<int:event_id>/consents.csv")
@login_required
def consents_csv(event_id: int):
    """Each registrant's consent to the platform's text and their answers to the event's consent questions."""
    event = load_event(event_id, "event.manage_registrations")
    return csv_response(csv_text(*exports.consent_table(event)), f"event-{event.id}-consents.csv")
