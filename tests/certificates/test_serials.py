"""Serial allocation is atomic: many allocators at once get distinct, gap-free numbers (both engines)."""
import threading

import pytest

from app.certificates import issuance
from app.extensions import db
from tests.conftest import make_app, require_postgres


def _allocate_concurrently(app, threads: int = 6, each: int = 5) -> list[str]:
    got: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def work():
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(each):
                    got.extend(issuance.allocate_serials(1, 2031))
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    return got


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_concurrent_allocation_gives_each_number_once(tmp_path, engine):
    url = require_postgres() if engine == "postgresql" else None
    app = make_app(tmp_path, database_url=url)
    serials = _allocate_concurrently(app)
    assert len(serials) == len(set(serials)) == 30
    assert sorted(serials) == [issuance.format_serial(2031, n) for n in range(1, 31)]
    with app.app_context():
        assert issuance.allocate_serials(2, 2031) == ["PRK-2031-000031", "PRK-2031-000032"]
        db.session.remove()
        db.engine.dispose()
