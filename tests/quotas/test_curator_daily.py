"""The curator's daily work (issue 25, items 8–10): the queue with skip, filters and bulk accept,
review from the trainee's page, catch-up plans checked against the pace, mentoring sessions kept right."""
from datetime import date

from app.extensions import db
from app.quotas import services
from app.quotas.models import QuotaEvent, ReviewState
from app.quotas.pace import plan_shortfall
from tests.quotas.conftest import consultation_data, move_to


def _log(world, trainee_index: int, **overrides):
    trainee = world.trainees[trainee_index]
    return services.log_consultation(world.quota(trainee), consultation_data(**overrides), trainee)


def _curated_by_one(world):
    """Every trainee under the first curator (the world spreads them over two)."""
    for trainee in world.trainees:
        services.set_curator(world.quota(trainee), world.curator.id, world.organiser)


def test_queue_skips_filters_and_accepts_several_in_one_go(client, login, world):
    _curated_by_one(world)
    move_to(date(2027, 3, 20))
    first = _log(world, 0, held_on=date(2027, 3, 11), format="phone")
    second = _log(world, 0, held_on=date(2027, 3, 12), format="online")
    third = _log(world, 1, held_on=date(2027, 3, 13), format="phone")
    login(world.curator)
    page = client.get("/manage/curator/review").get_data(as_text=True)
    assert f'action="/manage/curator/review/{first.id}"' in page and "autofocus" in page
    skip = client.get(f"/manage/curator/review?after={first.id}").get_data(as_text=True)
    assert f'action="/manage/curator/review/{second.id}"' in skip
    wrapped = client.get(f"/manage/curator/review?after={third.id}").get_data(as_text=True)
    assert f'action="/manage/curator/review/{first.id}"' in wrapped
    by_trainee = client.get(f"/manage/curator/review?trainee={world.trainees[1].id}").get_data(as_text=True)
    assert f'action="/manage/curator/review/{third.id}"' in by_trainee and f'value="{first.id}"' not in by_trainee
    by_format = client.get("/manage/curator/review?format=online").get_data(as_text=True)
    assert f'action="/manage/curator/review/{second.id}"' in by_format and f'value="{third.id}"' not in by_format
    nothing = client.post("/manage/curator/review/accept", data={"format": "phone"})
    assert nothing.status_code == 422 and "consultation_ids-error" in nothing.get_data(as_text=True)
    response = client.post("/manage/curator/review/accept",
                           data={"consultation_ids": [first.id, third.id], "format": "phone"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/curator/review?format=phone")
    db.session.expire_all()
    assert [c.review_state for c in (first, second, third)] == [ReviewState.ACCEPTED, ReviewState.SUBMITTED,
                                                                 ReviewState.ACCEPTED]
    assert db.session.query(QuotaEvent).filter_by(action="accepted").count() == 2


def test_bulk_accept_is_all_or_nothing_and_refuses_another_curators_trainee(client, login, world):
    move_to(date(2027, 3, 20))
    mine = next(t for t in world.trainees if world.quota(t).curator_id == world.curator.id)
    foreign = next(t for t in world.trainees if world.quota(t).curator_id == world.other_curator.id)
    own = services.log_consultation(world.quota(mine), consultation_data(), mine)
    decided = services.log_consultation(world.quota(mine), consultation_data(), mine)
    theirs = services.log_consultation(world.quota(foreign), consultation_data(), foreign)
    services.review(decided, world.curator, "accept")
    login(world.curator)
    assert client.post("/manage/curator/review/accept",
                       data={"consultation_ids": [own.id, theirs.id]}).status_code == 404
    refused = client.post("/manage/curator/review/accept", data={"consultation_ids": [own.id, decided.id]})
    assert refused.status_code == 422
    db.session.expire_all()
    assert own.review_state == ReviewState.SUBMITTED and theirs.review_state == ReviewState.SUBMITTED
    assert client.post(f"/manage/curator/review/{theirs.id}", data={"decision": "accept"}).status_code == 404


def test_curator_accepts_and_returns_from_the_trainees_page(client, login, world):
    move_to(date(2027, 3, 20))
    trainee = next(t for t in world.trainees if world.quota(t).curator_id == world.curator.id)
    quota = world.quota(trainee)
    one = services.log_consultation(quota, consultation_data(), trainee)
    two = services.log_consultation(quota, consultation_data(), trainee)
    login(world.curator)
    page = client.get(f"/manage/quotas/{quota.id}").get_data(as_text=True)
    assert f'action="/manage/curator/review/{one.id}"' in page and 'name="return_to" value="quota"' in page
    response = client.post(f"/manage/curator/review/{one.id}", data={"decision": "accept", "return_to": "quota"})
    assert response.headers["Location"].endswith(f"/manage/quotas/{quota.id}")
    refused = client.post(f"/manage/curator/review/{two.id}", data={"decision": "return", "return_to": "quota"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f'id="comment-{two.id}-error"' in body
    client.post(f"/manage/curator/review/{two.id}", data={"decision": "return", "comment": "Уточните тему",
                                                          "return_to": "quota"})
    db.session.expire_all()
    assert (one.review_state, two.review_state) == (ReviewState.ACCEPTED, ReviewState.RETURNED)


def _short_plan(world, per_week: int = 1):
    """1 May: 38 days left of 20 with none accepted, so about 3.7 a week are needed; a plan of `per_week`."""
    trainee = next(t for t in world.trainees if world.quota(t).curator_id == world.curator.id)
    quota = world.quota(trainee)
    move_to(date(2027, 5, 1))
    services.request_catch_up(quota, world.curator)
    services.submit_catch_up(quota, trainee, per_week, "Буду стараться")
    return trainee, quota


def test_pace_gives_the_shortfall_of_a_plan():
    pace = services.pace((date(2027, 3, 10), date(2027, 6, 7)), 20, 0, date(2027, 5, 1))
    assert pace.needed_per_week == 3.7
    assert plan_shortfall(pace, 1) == 15       # 1 a week for 38 days gives about 5 of 20
    assert plan_shortfall(pace, 4) == 0


def test_a_short_catch_up_plan_is_flagged_to_both_sides_in_their_language(client, login, world):
    trainee, quota = _short_plan(world)
    trainee.locale = "en"
    db.session.commit()
    login(trainee)
    page = client.get(f"/quotas/{quota.id}").get_data(as_text=True)
    assert ("Needs about 3.7 a week to reach 20 by 7 June; this plan gives 1 a week → 15 short." in page)
    client.post("/auth/logout")
    login(world.curator)
    home = client.get("/manage/curator").get_data(as_text=True)
    assert "plans-heading" in home and trainee.full_name in home.split('id="plans-heading"')[1].split("</section>")[0]
    assert "3,7" in home and "15" in home and "7 июня" in home
    assert "3,7" in client.get(f"/manage/quotas/{quota.id}").get_data(as_text=True)


def test_an_enough_plan_is_not_flagged(client, login, world):
    trainee, quota = _short_plan(world, per_week=4)
    login(world.curator)
    assert "catch-up-check" not in client.get(f"/manage/quotas/{quota.id}").get_data(as_text=True)
    assert "catch-up-check" not in client.get("/manage/curator").get_data(as_text=True)


def test_the_trainee_sees_the_weekly_need_from_the_start(client, login, world):
    trainee = login(world.trainees[0])
    move_to(date(2027, 3, 10))
    page = client.get(f"/quotas/{world.quota(trainee).id}").get_data(as_text=True)
    assert 'class="mt-2 quota-needed"' in page and "1,6" in page  # 20 in 90 days


def _mentoring_form(quota, **overrides):
    data = {"kind": "individual", "held_on": "2027-04-20", "starts_at": "15:30", "topic": "Как начать разговор",
            "notes": "", "quota_ids": [quota.id]}
    data.update(overrides)
    return data


def test_mentoring_sessions_have_a_time_can_be_changed_and_deleted(client, login, world):
    trainee = next(t for t in world.trainees if world.quota(t).curator_id == world.curator.id)
    quota = world.quota(trainee)
    move_to(date(2027, 4, 20), hour=8)  # 12:00 in Samara
    login(world.curator)
    late = client.post(f"/manage/curator/plans/{world.plan.id}/mentoring", data=_mentoring_form(quota,
                                                                                                held_on="2027-06-08"))
    body = late.get_data(as_text=True)
    assert late.status_code == 422 and 'id="held_on-error"' in body and trainee.full_name in body
    assert client.post(f"/manage/curator/plans/{world.plan.id}/mentoring",
                       data=_mentoring_form(quota)).status_code == 302
    [session] = services.sessions_of_curator(world.curator)
    assert session.starts_at.strftime("%H:%M") == "15:30" and not services.has_happened(session)
    home = client.get("/manage/curator").get_data(as_text=True)
    assert f"/manage/curator/mentoring/{session.id}/edit" in home and "15:30" in home
    edit = client.get(f"/manage/curator/mentoring/{session.id}/edit").get_data(as_text=True)
    assert 'value="15:30"' in edit and 'value="Как начать разговор"' in edit
    assert client.post(f"/manage/curator/mentoring/{session.id}/edit",
                       data=_mentoring_form(quota, starts_at="09:00", topic="Разбор случая")).status_code == 302
    db.session.expire_all()
    assert (session.topic, session.starts_at.strftime("%H:%M")) == ("Разбор случая", "09:00")
    assert services.has_happened(session)
    assert client.post(f"/manage/curator/mentoring/{session.id}/delete", data={"confirm": "yes"}).status_code == 302
    assert services.sessions_of_curator(world.curator) == []


def test_another_curators_session_is_not_found(client, login, world):
    trainee = next(t for t in world.trainees if world.quota(t).curator_id == world.curator.id)
    move_to(date(2027, 4, 20))
    session = services.record_session(world.plan, world.curator, {
        "kind": "individual", "held_on": date(2027, 4, 19), "topic": "Разбор", "quota_ids": [world.quota(trainee).id]})
    login(world.other_curator)
    assert client.get(f"/manage/curator/mentoring/{session.id}/edit").status_code == 404
    assert client.post(f"/manage/curator/mentoring/{session.id}/delete").status_code == 404


def test_only_a_session_that_happened_closes_behind_tasks(app, world):
    trainee = next(t for t in world.trainees if world.quota(t).curator_id == world.curator.id)
    quota = world.quota(trainee)
    move_to(date(2027, 5, 1))
    services.check_pace()
    open_tasks = lambda: [t.kind.value for t in services.open_tasks_of_curator(world.curator)  # noqa: E731
                          if t.quota_id == quota.id]
    assert "behind" in open_tasks()
    services.record_session(world.plan, world.curator, {"kind": "individual", "held_on": date(2027, 5, 3),
                                                        "topic": "Запланировано", "quota_ids": [quota.id]})
    assert "behind" in open_tasks()
    services.record_session(world.plan, world.curator, {"kind": "individual", "held_on": date(2027, 4, 30),
                                                        "topic": "Состоялось", "quota_ids": [quota.id]})
    assert "behind" not in open_tasks()


def test_the_header_links_my_consultations_for_people_with_a_quota(client, login, world):
    login(world.trainees[0])
    page = client.get("/me").get_data(as_text=True)
    header = page.split("</header>")[0]
    assert 'href="/quotas"' in header
    client.post("/auth/logout")
    login(world.organiser)
    assert 'href="/quotas"' not in client.get("/me").get_data(as_text=True).split("</header>")[0]
