"""Calendar tests run at a fixed moment so "upcoming" and "four weeks ago" never drift."""
from datetime import UTC, datetime

import pytest

from app import clock

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen_at(NOW):
        yield NOW
