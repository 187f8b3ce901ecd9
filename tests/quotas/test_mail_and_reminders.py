"""Quota mail over real SMTP (aiosmtpd): returns, tasks, reminders, digests; the CLI; the calendar feed."""
from datetime import date

from icalendar import Calendar

from app.accounts import services as accounts
from app.quotas import services
from tests.quotas.conftest import consultation_data, move_to


def _to(outbox, user):
    return [m for m in outbox if user.email in m["To"]]


def _text(message):
    return message.get_body(("plain",)).get_content()


def test_a_returned_consultation_mails_the_trainee_in_russian(world, mail_outbox):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    move_to(date(2027, 3, 20))
    consultation = services.log_consultation(quota, consultation_data(), trainee)
    services.review(consultation, quota.curator, "return", "Добавьте, о чём шла речь")
    [returned] = [m for m in _to(mail_outbox, trainee) if "возвращ" in m["Subject"].lower()]
    body = _text(returned)
    assert "Добавьте, о чём шла речь" in body and "15 мар. 2027" in body
    assert f"/quotas/{quota.id}/consultations/{consultation.id}/edit" in body


def test_reminders_once_a_week_tasks_and_a_daily_digest(world, mail_outbox, runner):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    curator = quota.curator
    move_to(date(2027, 4, 30))
    result = services.send_reminders()
    assert result.behind_reminders == len(world.trainees) and result.digests == 2
    behind = [m for m in _to(mail_outbox, trainee) if "отста" in m["Subject"].lower()]
    assert len(behind) == 1 and "ожидалось" in _text(behind[0])
    digest = [m for m in _to(mail_outbox, curator) if "сводка" in m["Subject"].lower()]
    assert len(digest) == 1 and "Открытые задачи" in _text(digest[0])
    task_mails = [m for m in _to(mail_outbox, curator) if "задача" in m["Subject"].lower()]
    assert task_mails
    before = len(mail_outbox)
    again = services.send_reminders()                         # same day: nothing new
    assert (again.behind_reminders, again.digests, again.tasks_opened) == (0, 0, 0)
    assert len(mail_outbox) == before
    move_to(date(2027, 5, 8))
    output = runner.invoke(args=["send-reminders"]).output
    assert f"{len(world.trainees)} behind-pace reminders" in output


def test_last_two_weeks_warning_once(world, mail_outbox):
    move_to(date(2027, 5, 30))
    assert services.send_reminders().last_weeks_warnings == len(world.trainees)
    assert services.send_reminders().last_weeks_warnings == 0
    trainee = world.trainees[0]
    assert [m for m in _to(mail_outbox, trainee) if "две недели" in m["Subject"].lower()]


def test_mail_that_is_no_longer_true_is_not_sent(world, mail_outbox, app):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    move_to(date(2027, 3, 20))
    consultation = services.log_consultation(quota, consultation_data(), trainee)
    app.config["HUEY_IMMEDIATE"] = True
    services.review(consultation, quota.curator, "return", "Исправьте дату")
    services.edit_consultation(consultation, consultation_data(), trainee)
    from app.quotas import mail  # the handler's builder itself, run again after the fix

    assert mail.build({"kind": "returned", "consultation_id": consultation.id}) is None


def test_personal_feed_has_the_deadline_and_mentoring(client, world):
    trainee = world.trainees[0]
    quota = world.quota(trainee)
    move_to(date(2027, 4, 2))
    services.record_session(world.plan, quota.curator, {"kind": "individual", "held_on": date(2027, 4, 1),
                                                        "topic": "Первые консультации", "quota_ids": [quota.id]})
    token = accounts.calendar_token(trainee)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    events = {str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(response.data).walk("VEVENT")}
    deadline = events[f"quota-deadline-{quota.id}"]
    assert deadline.decoded("DTSTART") == date(2027, 6, 7)
    assert "Первые консультации" in str(events[next(k for k in events if k.startswith("mentoring-"))]["SUMMARY"])
    etag = response.headers["ETag"]
    assert client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    services.change_quota(quota, world.organiser, deadline=date(2027, 6, 20), reason="Болезнь")
    assert client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag}).status_code == 200
