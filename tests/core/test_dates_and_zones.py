"""One date style per language and zones per date (issue 22, item 5): English reads "20 January 2027"
everywhere, full dates included; a zone's offset is that of the date shown (Sofia is UTC+2 in January and
UTC+3 in June)."""
from datetime import UTC, date, datetime

from flask_babel import force_locale

from app.core import i18n

JANUARY = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)
JUNE = datetime(2027, 6, 16, 14, 0, tzinfo=UTC)


def test_english_dates_put_the_day_first_in_every_length(app):
    with app.test_request_context(), force_locale("en"):
        assert i18n.local_date(date(2027, 1, 20), None, "full") == "Wednesday, 20 January 2027"
        assert i18n.local_date(date(2027, 1, 20), None, "long") == "20 January 2027"
        assert i18n.local_date(date(2027, 1, 20), None, "medium") == "20 Jan 2027"
        assert i18n.local_datetime(JANUARY, "Europe/Sofia", "long") == "20 January 2027, 17:00"
    with app.test_request_context(), force_locale("ru"):
        assert i18n.date_in(date(2027, 1, 20), "long", "en") == "20 January 2027"
        assert i18n.interval_in(date(2027, 3, 1), date(2027, 3, 3), "yMMMd", "en") == "1–3 Mar 2027"
        assert i18n.local_date(date(2027, 1, 20), None, "long") == "20 января 2027\u202fг."
        assert i18n.local_datetime(JANUARY, "Europe/Samara", "medium") == "20 янв. 2027\u202fг., 19:00"  # no seconds


def test_a_zones_offset_is_the_dates_own(app):
    with app.test_request_context(), force_locale("en"):
        assert i18n.zone_label(JANUARY, "Europe/Sofia") == "Sofia, UTC+2"
        assert i18n.zone_label(JUNE, "Europe/Sofia") == "Sofia, UTC+3"
        assert i18n.zone_labels([JANUARY, JANUARY, JUNE], "Europe/Sofia") == ["Sofia, UTC+2", "Sofia, UTC+3"]
        assert i18n.zone_span(JANUARY, JUNE, "Europe/Sofia") == "Sofia, UTC+2 / UTC+3"
        assert i18n.zone_span(JANUARY, JANUARY, "Europe/Sofia") == "Sofia, UTC+2"
        assert i18n.local_time(JANUARY, "Europe/Sofia", zone=True) == "17:00 (Sofia, UTC+2)"
        assert i18n.zone_city("Europe/Sofia") == "Sofia"
