"""Numbers and agreement in Russian (issue 22, item 5): a decimal comma in "около 2,9 в неделю", the catch-up
plan agrees with "план" (m.: "план возвращён"), and a trainee who has not started is not assumed a man."""
from datetime import date

from flask_babel import force_locale

from app.quotas import services
from app.quotas.models import CatchUpState, PaceStatus, ReviewState
from tests.quotas.conftest import move_to


def test_plan_states_agree_with_plan_and_not_started_assumes_no_gender(app):
    with app.test_request_context(), force_locale("ru"):
        assert str(CatchUpState.RETURNED.label) == "План возвращён"
        assert str(CatchUpState.ACCEPTED.label) == "План принят"
        assert str(ReviewState.RETURNED.label) == "Возвращена"  # a consultation (f.)
        assert str(PaceStatus.NOT_STARTED.label) == "Не начал(а)"


def test_the_weekly_need_has_a_decimal_comma(client, login, world):
    trainee = login(world.trainees[0])
    quota = world.quota(trainee)
    move_to(date(2027, 4, 20))
    services.request_catch_up(quota, world.curator)
    page = client.get(f"/quotas/{quota.id}").get_data(as_text=True)
    print("needed per week:", services.row_for(quota).pace.needed_per_week)
    assert "около 2,9 в неделю" in page and "2.9" not in page
    assert "План запрошен" in page
