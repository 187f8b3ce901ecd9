"""seed-demo leaves one sent message on the first demo seminar (running it twice sends no second one), and
the demo organiser's applications waiting for the daily digest."""
from sqlalchemy import select

from app.accounts import services as accounts
from app.extensions import db
from app.messaging.demo import SUBJECT
from app.messaging.models import DigestItem, EventMessage


def test_demo_seminar_has_one_sent_message(app, runner, client, login):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    [message] = db.session.execute(select(EventMessage)).scalars().all()
    assert message.subject == SUBJECT and message.recipient_count == 30
    organiser = accounts.find_user_by_email("organiser@example.org")
    waiting = db.session.execute(select(DigestItem).where(DigestItem.user_id == organiser.id)).scalars().all()
    assert len(waiting) >= 30 and {item.topic.value for item in waiting} == {"application"}
    login(organiser, "praktika-demo")
    page = client.get(f"/manage/events/{message.event_id}/messages").get_data(as_text=True)
    assert "как добраться и что взять с собой" in page
    detail = client.get(f"/manage/events/{message.event_id}/messages/{message.id}").get_data(as_text=True)
    assert "Ирина Петрова" in detail
