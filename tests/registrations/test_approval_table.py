"""Issue 25, item 1: the approval queue is a table (one row per applicant: region, organisation, what the
rules say, the answers), sorted and filtered by GET parameters without JavaScript, decided in bulk; a bulk
reject asks first and names the people; a bulk approval that breaks a rule refuses as a whole."""
import re

import pytest

from app.accounts.models import Role
from app.registrations import questions, services
from app.registrations.models import RegistrationStatus
from tests.factories import make_event, make_organisation, make_trainees, make_user

S = RegistrationStatus


@pytest.fixture
def organiser(app):
    return make_user("table-org@example.org", roles=(Role.ORGANISER,), locale="en", full_name="Olga Organiser")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _rows(page: str) -> list[str]:
    """The applicants' names in the order the table shows them."""
    return re.findall(r'<th scope="row">([^<]+)<br>', page)


@pytest.fixture
def queue(organiser):
    event = make_event(actor=organiser, requires_approval=True, capacity=10, max_per_region=1)
    diet = questions.add_question(event, {"kind": "text", "label": "Питание", "help_text": "", "required": False,
                                          "options": "", "min_value": "", "max_value": ""})
    ngo = make_organisation("Союз пациентов Самары", region_code="RU-SAM")
    samara = make_trainees(2, region_code="RU-SAM", organisation=ngo)
    penza = make_trainees(1, region_code="RU-PNZ")[0]
    samara[0].full_name, samara[1].full_name, penza.full_name = "Bella Samara", "Anna Samara", "Clara Penza"
    applications = [services.register(event.id, person, answers={f"q{diet.id}": f"меню {n}"})
                    for n, person in enumerate((*samara, penza))]
    return event, applications


def test_one_row_per_applicant_with_rule_and_answers(client, login, organiser, queue):
    event, applications = queue
    login(organiser)
    page = _text(client.get(f"/manage/events/{event.id}/approvals"))
    assert '<div class="table-responsive position-relative">' in page and 'id="approval-table"' in page
    assert _rows(page) == ["Bella Samara", "Anna Samara", "Clara Penza"]  # oldest first
    assert "Питание" in page and "меню 0" in page and "меню 2" in page
    assert page.count("region: 1 of 1 after approval") == 3
    assert page.count("Competes with 1 other applicant of the region for 1 place left.") == 2
    services.approve(applications[0], organiser)
    page = _text(client.get(f"/manage/events/{event.id}/approvals"))
    assert "region: 1 of 1, no place left: approval will be refused" in page


def test_sorting_and_filtering_are_get_parameters(client, login, organiser, queue):
    event, applications = queue
    login(organiser)
    url = f"/manage/events/{event.id}/approvals"
    assert _rows(_text(client.get(url, query_string={"sort": "name"}))) == ["Anna Samara", "Bella Samara",
                                                                          "Clara Penza"]
    assert _rows(_text(client.get(url, query_string={"sort": "name", "dir": "desc"})))[0] == "Clara Penza"
    assert _rows(_text(client.get(url, query_string={"region": "RU-PNZ"}))) == ["Clara Penza"]
    assert _rows(_text(client.get(url, query_string={"rule": "competing"}))) == ["Bella Samara", "Anna Samara"]
    assert _rows(_text(client.get(url, query_string={"q": "anna"}))) == ["Anna Samara"]
    page = _text(client.get(url, query_string={"sort": "name"}))
    assert f'href="{url}?sort=name&amp;dir=desc"' in page  # the header link turns the order round
    ticked = _text(client.get(url, query_string={"region": "RU-SAM", "tick": "all"}))
    assert ticked.count(" checked>") == 2
    assert client.get(url, query_string={"sort": "nonsense", "organisation": "x" * 300}).status_code == 200


def test_bulk_reject_asks_then_mails_and_bulk_approve_refuses_as_a_whole(client, login, organiser, queue,
                                                                          mail_outbox):
    event, applications = queue
    login(organiser)
    url = f"/manage/events/{event.id}/approvals/bulk"
    ids = [applications[0].id, applications[1].id]
    response = client.post(url, data={"action": "approve", "registration_ids": ids})
    assert response.status_code == 422 and "Anna Samara" in _text(response) and "Nothing was changed" in _text(response)
    assert [services.registration_in_event(event, i).status for i in ids] == [S.PENDING, S.PENDING]
    data = {"action": "reject", "reason": "Один от региона", "registration_ids": ids}
    asked = _text(client.post(url, data=data))
    assert "Reject 2 applications?" in asked and "Bella Samara, Anna Samara" in asked
    assert 'name="confirm" value="yes"' in asked and not mail_outbox
    client.post(url, data={**data, "confirm": "yes"})
    assert [services.registration_in_event(event, i).status for i in ids] == [S.REJECTED, S.REJECTED]
    assert len(mail_outbox) == 2


def test_another_organisers_queue_is_not_found(client, login, queue):
    event, _applications = queue
    login(make_user(roles=(Role.ORGANISER,)))
    assert client.get(f"/manage/events/{event.id}/approvals", query_string={"sort": "name"}).status_code == 404
