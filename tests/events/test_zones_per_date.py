"""A group meeting in Sofia in January is shown at UTC+2 and one in June at UTC+3 (issue 22, item 5: the
offset is each meeting's, not the first meeting's for the whole series)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app import clock
from app.events import services as events
from tests.events.test_groups import group_json, mediator  # noqa: F401 (the fixture)

SOFIA = ZoneInfo("Europe/Sofia")


@pytest.mark.usefixtures("mediator")
def test_each_meeting_names_its_own_offset(app, client, organiser, programme):
    with clock.frozen_at(datetime(2027, 1, 5, 12, tzinfo=SOFIA)):
        event = events.create_event(organiser, group_json(programme_id=programme.id, sessions=[
            {"start": "2027-01-20T17:00:00+02:00", "end": "2027-01-20T18:30:00+02:00", "title": "Зима"},
            {"start": "2027-06-16T17:00:00+03:00", "end": "2027-06-16T18:30:00+03:00", "title": "Лято"}]))
        client.post("/language", data={"locale": "en"})
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
    winter, summer = page.index("Зима"), page.index("Лято")
    print("winter:", page[winter - 220:winter].split("\n")[-3:], "summer:", page[summer - 220:summer].split("\n")[-3:])
    assert "(Sofia, UTC+2)" in page[:winter] and "(Sofia, UTC+3)" in page[winter:summer]
    assert "Wednesday, 20 January 2027" in page and "January 20, 2027" not in page
    assert "17:00 (Sofia, UTC+2)" in page  # the next meeting
