"""Configuration read from the environment (DESIGN §5)."""
import os
import secrets
from pathlib import Path

# Flask-Babel merges the catalogs in this order and a later one wins for a msgid they share, so the
# foundation (shared words such as "Email", "Region", role names) comes last and is authoritative.
AREAS_WITH_TRANSLATIONS = (
    "privacy",
    "materials",
    "messaging",
    "certificates",
    "quotas",
    "programmes",
    "events",
    "registrations",
    "calendar",
    "api",
    "backup",
    "notifications",
    "outbox",
    "accounts",
    "core",
    "reports",
)


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_path() -> Path:
    root = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("INSTANCE_PATH") or root / "instance").resolve()


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            "SECRET_KEY is not set. Production mode refuses to start without it: "
            "export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _process_count() -> int | None:
    """WEB_CONCURRENCY: how many web processes serve (gunicorn reads the same variable for its
    default --workers); None when not said."""
    value = (os.environ.get("WEB_CONCURRENCY") or "").strip()
    return int(value) if value.isdigit() else None


def _check_shared_rate_limits(config: dict) -> None:
    """Rate limits kept in a process's memory count per process: with N gunicorn workers an attacker
    gets N times the login and sign-up attempts. Production therefore keeps the counters in Redis,
    unless it says it runs one web process (WEB_CONCURRENCY=1) or turns limits off."""
    if not config["PRODUCTION"] or config.get("TESTING") or config.get("DEBUG") or not config["RATELIMIT_ENABLED"]:
        return
    if not str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://") or config.get("WEB_CONCURRENCY") == 1:
        return
    raise ConfigError(
        "REDIS_URL is not set. Production mode refuses to start with rate limits counted in each "
        "process's memory, since several processes may serve (gunicorn --workers): set REDIS_URL so "
        "every worker shares the counters, or WEB_CONCURRENCY=1 if exactly one process serves."
    )


def translation_directories() -> str:
    app_dir = Path(__file__).resolve().parent
    return ";".join(str(app_dir / area / "translations") for area in AREAS_WITH_TRANSLATIONS)


def _derive(config: dict, overrides: dict) -> None:
    """Settings that follow from others (BASE_URL, REDIS_URL), unless given explicitly."""
    config["BASE_URL"] = config["BASE_URL"].rstrip("/")
    https = config["BASE_URL"].startswith("https")
    derived = {
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "RATELIMIT_STORAGE_URI": config["REDIS_URL"] or "memory://",
        # A request a little larger than the biggest material still reaches the upload form, which
        # answers beside the field; only a far larger one is cut off (a 413, flashed on the form).
        "MAX_CONTENT_LENGTH": max(16 * 1024 * 1024, config["MATERIALS_MAX_BYTES"] + 1024 * 1024),
    }
    for key, value in derived.items():
        if key not in overrides:
            config[key] = value


def from_env(overrides: dict | None = None) -> dict:
    """Build the config dict: environment first, then explicit overrides (tests)."""
    overrides = dict(overrides or {})
    instance_path = Path(overrides.get("INSTANCE_PATH") or _instance_path())
    production = _bool(os.environ.get("PRAKTIKA_PRODUCTION"), False) or os.environ.get("FLASK_ENV") == "production"
    production = overrides.get("PRODUCTION", production)
    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    redis_url = os.environ.get("REDIS_URL") or None
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'praktika.sqlite3'}"
    config = {
        "PRODUCTION": production,
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": "https" if base_url.startswith("https") else "http",
        "REDIS_URL": redis_url,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 25),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER") or "Praktika <noreply@praktika.local>",
        "MAIL_OUTBOX": str(instance_path / "outbox"),
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "WEB_CONCURRENCY": _process_count(),
        "HUEY_IMMEDIATE": False,
        "HUEY_SQLITE_PATH": str(instance_path / "huey.sqlite3"),
        # The job queues are named "<prefix>-interactive" and "<prefix>-bulk": two sites sharing one Redis
        # keep their jobs apart with different prefixes.
        "QUEUE_NAME_PREFIX": os.environ.get("QUEUE_NAME_PREFIX") or "praktika",
        # Certificates: issuer shown on certificates and credentials, logo, stored files, bulk jobs.
        "CERTIFICATE_ISSUER_NAME": os.environ.get("CERTIFICATE_ISSUER_NAME") or "Praktika",
        "CERTIFICATE_LOGO_PATH": os.environ.get("CERTIFICATE_LOGO_PATH") or None,
        "CERTIFICATES_DIR": os.environ.get("CERTIFICATES_DIR") or str(instance_path / "certificates"),
        "CERTIFICATE_BATCH_SIZE": int(os.environ.get("CERTIFICATE_BATCH_SIZE") or 25),
        # Check-in opens this many hours before a session starts and stays open as long after it ends.
        "CHECKIN_OPEN_MARGIN_HOURS": int(os.environ.get("CHECKIN_OPEN_MARGIN_HOURS") or 12),
        "CERTIFICATE_JOB_LEASE_SECONDS": int(os.environ.get("CERTIFICATE_JOB_LEASE_SECONDS") or 60),
        "BABEL_DEFAULT_LOCALE": "ru",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": translation_directories(),
        "LANGUAGES": ("ru", "en", "bg", "pl", "lt"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": base_url.startswith("https"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": base_url.startswith("https"),
        "WTF_CSRF_TIME_LIMIT": None,
        "ARGON2_PROFILE": "RFC_9106_LOW_MEMORY",
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (rate limits
        # key on the client's address, which is the proxy's own without this).
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT") or 0),
        # Materials: uploaded files in the instance folder, each at most MATERIALS_MAX_BYTES.
        "MATERIALS_DIR": os.environ.get("MATERIALS_DIR") or str(instance_path / "materials"),
        "MATERIALS_MAX_BYTES": int(os.environ.get("MATERIALS_MAX_BYTES") or 25 * 1024 * 1024),
        # Every stored file (certificates, materials) in one bucket of an S3-compatible store when
        # STORAGE_S3_BUCKET is set, none on disk (app/core/storage.py; empty keys: boto3's own chain).
        **{f"STORAGE_S3_{name}": os.environ.get(f"STORAGE_S3_{name}") or None
           for name in ("BUCKET", "ENDPOINT_URL", "REGION", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "PREFIX")},
        # The names of the time when only materials went to a bucket: aliases of STORAGE_S3_*, and
        # MATERIALS_S3_PREFIX (when set) where material objects already are.
        **{f"MATERIALS_S3_{name}": os.environ.get(f"MATERIALS_S3_{name}") or None
           for name in ("BUCKET", "ENDPOINT_URL", "REGION", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY")},
        "MATERIALS_S3_PREFIX": os.environ.get("MATERIALS_S3_PREFIX"),
        "API_TITLE": "Praktika API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
    config.update(overrides)
    _derive(config, overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(instance_path, bool(config["PRODUCTION"]))
    _check_shared_rate_limits(config)
    return config
