"""Migration 0011_creds on a database that already holds certificates: each gets a status-list index in
the order it was issued and its own identity salt, and the counter continues after them."""
from sqlalchemy import select

from app.accounts.models import Role
from app.certificates import status_list
from app.certificates.models import Certificate, CertificateKind
from app.extensions import db
from tests.core.test_migrations import _app, _flask_db, keep_logging  # noqa: F401 - the fixture restores logging
from tests.factories import make_event, make_user


def test_existing_certificates_get_indexes_in_issue_order(tmp_path):
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    _flask_db(app, "upgrade")
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,))
        event = make_event(actor=organiser)
        for n, index in enumerate([7, 3, 5], start=1):
            db.session.add(Certificate(
                serial=f"PRK-2027-{n:06d}", check_code="AAAAAA", event_id=event.id, user_id=make_user().id,
                kind=CertificateKind.PARTICIPATION, holder_name="x", language="ru", layout="classic",
                pdf_sha256="0" * 64, pdf_path=f"{n}.pdf", status_list_index=index))
        db.session.commit()
        db.session.remove()
    _flask_db(app, "downgrade", "0010_messaging")  # as the certificates were before 0011
    _flask_db(app, "upgrade")
    with app.app_context():
        rows = db.session.execute(select(Certificate).order_by(Certificate.id)).scalars().all()
        assert [c.status_list_index for c in rows] == [0, 1, 2]
        assert len({c.identity_salt for c in rows}) == 3 and all(len(c.identity_salt) == 32 for c in rows)
        assert status_list.allocate_indices(2) == [3, 4]
        db.session.remove()
        db.engine.dispose()
