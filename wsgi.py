"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import gc

from app import create_app
from app.certificates import signing_keys

app = create_app()
with app.app_context():
    signing_keys.ensure_at_start()  # made here, so no GET ever writes one
# The loaded app (modules, templates, translations: a few hundred thousand objects) lives as long as the
# process: kept out of the collector's full scans, which otherwise walk it again and again under the
# allocations of a long page (the cohort's thousand rows) and stall that request by tens of ms.
gc.freeze()
