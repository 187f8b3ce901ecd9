"""Background jobs make a real round trip through the queue storage (not Huey's immediate mode)."""
import signal
from contextlib import contextmanager

import pytest
from huey.storage import RedisStorage, SqliteStorage

from app.core.tasks import ping
from app.extensions import INTERACTIVE, queues
from tests.conftest import make_app, require_redis

huey = queues[INTERACTIVE]  # ping's queue


@contextmanager
def running_consumer():
    """Huey's own consumer (what `flask worker` runs) in threads; signal handlers restored afterwards."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05,
                                    max_delay=0.2)
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _round_trip(storage_class):
    assert isinstance(huey.storage, storage_class)
    assert huey.immediate is False
    huey.flush()
    result = ping("samara")
    assert huey.pending_count() == 1  # it waits in the storage until a consumer takes it
    with running_consumer():
        assert result.get(blocking=True, timeout=30) == "pong:samara"
    assert huey.pending_count() == 0


def test_sqlite_huey_round_trip(tmp_path):
    app = make_app(tmp_path, HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=str(tmp_path / "jobs.sqlite3"))
    with app.app_context():
        _round_trip(SqliteStorage)
    assert (tmp_path / "jobs.sqlite3").exists()


@pytest.mark.redis
def test_redis_huey_round_trip(tmp_path):
    url = require_redis()
    app = make_app(tmp_path, HUEY_IMMEDIATE=False, REDIS_URL=url)
    with app.app_context():
        _round_trip(RedisStorage)


def test_dequeue_and_execute_by_hand(tmp_path):
    """The storage keeps the task serialised; executing it later gives the result."""
    app = make_app(tmp_path, HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=str(tmp_path / "jobs.sqlite3"))
    with app.app_context():
        result = ping("penza")
        task = huey.dequeue()
        assert task.name.endswith("ping")
        huey.execute(task)
        assert result.get() == "pong:penza"
