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
api = Api()

# The storage is chosen by configure_huey() from the app config; tasks register at import.
huey = Huey("praktika", storage_class=MemoryStorage, utc=True)


def configure_huey(app) -> None:
    """SqliteHuey in the instance folder by default, RedisHuey when REDIS_URL is set."""
    huey.flask_app = app
    huey._immediate = False
    if app.config.get("REDIS_URL"):
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": app.config["HUEY_SQLITE_PATH"]}
    huey.storage = huey.create_storage()
    huey.immediate = bool(app.config.get("HUEY_IMMEDIATE"))


def _in_app_context(func):
    """Wrap a task body so it runs inside the Flask app context (the worker has none of its own)."""

    @functools.wraps(func)
    def run_in_app(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        with huey.flask_app.app_context():
            return func(*args, **kwargs)

    return run_in_app


def app_task(**task_options):
    """A Huey task that runs inside the Flask app context."""
    return lambda func: huey.task(**task_options)(_in_app_context(func))


def app_periodic_task(validate_datetime, **task_options):
    """A periodic Huey task run inside the Flask app context."""
    return lambda func: huey.periodic_task(validate_datetime, **task_options)(_in_app_context(func))
