"""Extension objects, bound to the app in create_app() (flaskr / Indico style)."""
import functools

from flask import has_app_context
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
bootstrap = Bootstrap5()


class OnDemandDocsApi(Api):
    """flask-smorest's Api, documenting the views when the OpenAPI document is first read (/api/openapi.json,
    the docs pages) instead of in every create_app: documenting them costs two thirds of an app's start
    (~40 ms), which every gunicorn worker, CLI command and test paid for a document most never serve."""

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, self._app, name, parameters))

    @property
    def spec(self):
        """The document, with the views registered since the last read added first (in their order)."""
        undocumented, self._undocumented = self._undocumented, []
        for blp, app, name, parameters in undocumented:
            blp.register_views_in_doc(self, app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blp.description})
        return self._spec

    @spec.setter
    def spec(self, value):
        """Set by Api.__init__ (None) and by init_app (a new document): nothing is waiting to be documented."""
        self._spec = value
        self._undocumented = []


api = OnDemandDocsApi()

# Two job queues, so that nothing a person is waiting for (an offered seat, a password reset, an
# approval) ever waits behind bulk work (issuing a thousand certificates, a message to every
# participant, the morning digests). Each is its own Huey with its own consumers
# (`flask worker --queue interactive|bulk`); both live in the same storage, chosen by configure_huey()
# from the app config. Tasks register on one of them at import (app_task(queue=…)).
INTERACTIVE = "interactive"
BULK = "bulk"
QUEUE_NAMES = (INTERACTIVE, BULK)
queues = {name: Huey(f"praktika-{name}", storage_class=MemoryStorage, utc=True) for name in QUEUE_NAMES}


def configure_huey(app) -> None:
    """SqliteHuey in the instance folder by default, RedisHuey when REDIS_URL is set; every queue alike."""
    for name, queue in queues.items():
        queue.name = f"{app.config.get('QUEUE_NAME_PREFIX') or 'praktika'}-{name}"
        queue.flask_app = app
        # Immediate mode (tests, HUEY_IMMEDIATE) runs tasks in-process on memory storage: no store is opened.
        queue._immediate = bool(app.config.get("HUEY_IMMEDIATE"))
        if app.config.get("REDIS_URL"):
            queue.storage_class = RedisStorage
            queue.storage_kwargs = {"url": app.config["REDIS_URL"]}
        else:
            queue.storage_class = SqliteStorage
            queue.storage_kwargs = {"filename": app.config["HUEY_SQLITE_PATH"]}
        queue.storage = queue.create_storage()


def _in_app_context(queue: Huey, func):
    """Wrap a task body so it runs inside the Flask app context (the worker has none of its own)."""

    @functools.wraps(func)
    def run_in_app(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        with queue.flask_app.app_context():
            return func(*args, **kwargs)

    return run_in_app


def app_task(queue: str, **task_options):
    """A Huey task on `queue` (INTERACTIVE or BULK) that runs inside the Flask app context."""
    return lambda func: queues[queue].task(**task_options)(_in_app_context(queues[queue], func))


def app_periodic_task(validate_datetime, queue: str, **task_options):
    """A periodic task on `queue`, run inside the Flask app context. It is enqueued by the one scheduler
    (`flask worker --scheduler`, or plain `flask worker`), and run by that queue's consumers."""
    return lambda func: queues[queue].periodic_task(validate_datetime, **task_options)(
        _in_app_context(queues[queue], func))
