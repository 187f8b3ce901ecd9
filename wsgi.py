"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from app import create_app
from app.certificates import signing_keys

app = create_app()
with app.app_context():
    signing_keys.ensure_at_start()  # made here, so no GET ever writes one
