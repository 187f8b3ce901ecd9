"""Two machines, one deployment (DESIGN §5, configuration; issue 26): machines that share DATABASE_URL,
REDIS_URL, SECRET_KEY and the S3 store serve the same data, the same files and the same signing keys.

"Machines" are real processes, each with its own INSTANCE_PATH, configured only through the environment
(PRAKTIKA_PRODUCTION=1, rate limits on, CSRF on): A's web (gunicorn) and A's worker (`flask worker`), and
B's web (gunicorn). They share one PostgreSQL database, one Redis database and one bucket on moto's S3
server on loopback. The schema comes from `flask db upgrade`; the people and a past seminar with one
attendee are made through the services. The organiser asks A for the certificate; A's worker renders it.
Then B must serve the same PDF, the same JWK Set and a credential that verifies with A's keys, the login
limit must count across both, and neither instance folder may hold a certificate file or a signing key.

The client address reaches the apps through a load balancer's X-Forwarded-For (PROXY_COUNT=1), as in a
deployment of several machines; each run uses addresses of its own, so rate-limit counters that other
runs left in the shared Redis never count here.
"""
import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from huey import RedisHuey
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import create_engine, text

from app import clock, create_app
from app.accounts.models import Role
from app.extensions import QUEUE_NAMES, db
from app.registrations.models import CheckIn, Registration, RegistrationStatus
from tests.conftest import IN_CI, free_port, require_postgres, require_redis, reset_schema
from tests.conftest import test_database_url as configured_database_url
from tests.factories import make_event, make_user
from tests.s3 import empty_bucket, moto_endpoint
from tests.s3 import settings as s3_settings

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "praktika-two-machines"
PASSWORD = "password123"
LOGIN_LIMIT = 10  # app/accounts/routes.py: "10/minute;50/hour" on POST /auth/login
# What a machine inherits from the test's own environment: the system's, never Praktika's settings.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "FONTCONFIG_PATH", "XDG_CACHE_HOME")

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def shared_services() -> tuple[str, str]:
    """The PostgreSQL and Redis databases both machines use. PostgreSQL: the PostgreSQL pass's
    TEST_DATABASE_URL; under CI=true the machine's test database in any pass (absent, the test fails)."""
    url = configured_database_url()
    if not (url and url.startswith("postgresql")) and not IN_CI:
        pytest.skip("two machines share one PostgreSQL database: set TEST_DATABASE_URL=postgresql+psycopg://…")
    return require_postgres(), require_redis()


@pytest.fixture
def s3_endpoint():
    with moto_endpoint() as endpoint:
        yield endpoint


# --- a browser behind the load balancer ------------------------------------------------------------

@dataclass
class Reply:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One person's browser: one cookie jar for the whole site (the balancer sends a request to either
    machine), and the client address the balancer forwards."""

    def __init__(self):
        self.address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _KeepRedirects)

    def request(self, base: str, path: str, data: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(base + path, data=body, headers={"X-Forwarded-For": self.address})
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())

    def csrf_token(self, base: str, path: str) -> str:
        page = self.request(base, path)
        assert page.status == 200, (path, page.status, page.text[:500])
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)

    def post_form(self, base: str, path: str, data: dict, token_from: str) -> Reply:
        return self.request(base, path, {**data, "csrf_token": self.csrf_token(base, token_from)})

    def sign_in(self, base: str, email: str) -> None:
        reply = self.post_form(base, "/auth/login", {"email": email, "password": PASSWORD}, "/auth/login")
        assert reply.status == 302, (reply.status, reply.text[:500])


# --- the machines ------------------------------------------------------------------------------------

@dataclass
class Machine:
    name: str
    instance: Path
    env: dict
    base: str = ""
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None


def _spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _start_web(machine: Machine, logs: Path) -> None:
    port = free_port()
    machine.base = f"http://127.0.0.1:{port}"
    machine.web = _spawn([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                          "--log-level", "warning", "wsgi:app"], machine.env, logs / f"{machine.name}-web.log")


def _start_worker(machine: Machine, logs: Path) -> None:
    machine.worker = _spawn([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "1"],
                            machine.env, logs / f"{machine.name}-worker.log")


def _log_tail(logs: Path) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in sorted(logs.glob("*.log")))


def _wait(condition, what: str, processes: list[subprocess.Popen], logs: Path, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"a machine's process exited ({process.args}) while waiting for {what}:\n"
                                     f"{_log_tail(logs)}")
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n{_log_tail(logs)}")


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:  # noqa: S310 (loopback)
            return response.status == 200
    except OSError:
        return False


def _stop(processes: list[subprocess.Popen | None]) -> None:
    """Stop what this test started (each in its own process group), all at once."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        os.killpg(process.pid, signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Seed:
    organiser_email: str
    holder_email: str
    holder_id: int
    event_id: int


def _seed(settings: dict, workdir: Path) -> Seed:
    """The people and a seminar that ended, its one participant present at every session: made through
    the services by an admin shell on the same deployment (its own folder, not a machine's)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": settings["DATABASE_URL"], "REDIS_URL": settings["REDIS_URL"],
                      "SECRET_KEY": settings["SECRET_KEY"], "BASE_URL": settings["BASE_URL"],
                      "QUEUE_NAME_PREFIX": settings["QUEUE_NAME_PREFIX"], "INSTANCE_PATH": str(workdir / "shell"),
                      "ARGON2_PROFILE": "CHEAPEST"})
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,), full_name="Ольга Организатор")
        holder = make_user(full_name="Анна Смирнова")
        start = (clock.now() - timedelta(days=5)).replace(microsecond=0)
        event = make_event(actor=organiser, days=2, start=start, capacity=None)
        registration = Registration(event_id=event.id, user_id=holder.id, status=RegistrationStatus.CONFIRMED)
        db.session.add(registration)
        db.session.flush()
        db.session.add_all(CheckIn(registration_id=registration.id, session_id=s.id) for s in event.sessions)
        db.session.commit()
        seed = Seed(organiser.email, holder.email, holder.id, event.id)
        db.session.remove()
        db.engine.dispose()
    return seed


@dataclass
class Deployment:
    a: Machine
    b: Machine
    seed: Seed
    s3: object
    engine: object
    processes: list
    logs: Path

    def wait(self, condition, what: str):
        """Wait up to three minutes: a missed wake-up leaves the job to the once-a-minute sweep of the outbox."""
        return _wait(condition, what, self.processes, self.logs, timeout=180)

    def log(self, name: str) -> str:
        """The end of one process's log ("a-web", "a-worker", "b-web"), for a failure's message."""
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def certificate(self):
        """The event's certificate row once A's worker has recorded it and finished the job, else None."""
        with self.engine.connect() as connection:
            return connection.execute(text(
                "SELECT c.serial, c.check_code, c.pdf_sha256 FROM certificates c"
                " JOIN certificate_issuance_jobs j ON j.id = c.job_id"
                " WHERE c.event_id = :event AND j.state = 'done'"), {"event": self.seed.event_id}).one_or_none()

    def bucket_objects(self) -> dict[str, bytes]:
        listed = self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return {item["Key"]: self.s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read() for item in listed}


@pytest.fixture
def deployment(shared_services, tmp_path, s3_endpoint, smtp_server):
    """A (web + worker) and B (web) running on the shared services, the data seeded; stopped afterwards."""
    database_url, redis_url = shared_services
    s3 = empty_bucket(s3_endpoint, BUCKET)
    run = secrets.token_hex(4)
    shared = {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": secrets.token_hex(32),
        # This run's own corner of the shared Redis (other tests use it too): cache keys are prefixed by
        # the site's address, job queues by their name prefix.
        "BASE_URL": f"http://praktika-{run}.test", "QUEUE_NAME_PREFIX": f"praktika-{run}",
        "PRAKTIKA_PRODUCTION": "1", "RATELIMIT_ENABLED": "1", "PROXY_COUNT": "1",
        "MAIL_SERVER": smtp_server.host, "MAIL_PORT": str(smtp_server.port),
        **s3_settings(s3_endpoint, BUCKET),
        "PYTHONPATH": str(ROOT),
    }
    system = {name: os.environ[name] for name in INHERITED if name in os.environ}
    machines = []
    for name in ("a", "b"):
        instance = tmp_path / f"instance-{name}"
        machines.append(Machine(name, instance, {**system, **shared, "INSTANCE_PATH": str(instance)}))
    a, b = machines
    logs = tmp_path / "logs"
    logs.mkdir()

    reset_schema(database_url)
    # The machines boot while the schema is made: nothing queries the database before the first request.
    upgrade = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                               env=a.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    engine = create_engine(database_url)
    try:
        _start_web(a, logs)
        _start_worker(a, logs)
        _start_web(b, logs)
        migrated = upgrade.communicate(timeout=300)[0]
        assert upgrade.returncode == 0, migrated
        seed = _seed(shared, tmp_path)
        processes = [a.web, a.worker, b.web]
        _wait(lambda: _answers(a.base) and _answers(b.base), "both machines to answer /healthz", processes, logs)
        yield Deployment(a, b, seed, s3, engine, processes, logs)
    finally:
        _stop([upgrade, a.web, a.worker, b.web])
        engine.dispose()
        for name in QUEUE_NAMES:  # the run's queues and results (its rate-limit counters expire)
            RedisHuey(f"{shared['QUEUE_NAME_PREFIX']}-{name}", url=redis_url).flush()


def _files_holding_certificates(instance: Path, pdf: bytes) -> list[str]:
    """Files in an instance folder that hold a certificate (a PDF, by name or by content) or a signing key."""
    found = []
    for path in sorted(p for p in instance.rglob("*") if p.is_file()):
        name = path.name.lower()
        if name.endswith((".pdf", ".pdf.part", ".jwk")) or "issuer-key" in name or path.read_bytes() == pdf:
            found.append(str(path.relative_to(instance)))
    return found


def test_two_machines_serve_one_deployment(deployment, subtests):
    a, b, seed = deployment.a, deployment.b, deployment.seed
    organiser, holder = Visitor(), Visitor()

    # The organiser asks A for the certificate; A's worker renders it from the job's outbox row.
    organiser.sign_in(a.base, seed.organiser_email)
    manage = f"/manage/events/{seed.event_id}/certificates"
    started = organiser.post_form(a.base, f"{manage}/jobs", {
        "kind": "participation", "layout": "classic", "user_ids": [seed.holder_id],
        "signatory_name": "Ольга Организатор", "signatory_role": "Организатор программы"}, manage)
    assert started.status == 302, (started.status, started.text[:500])

    with subtests.test("a login limit counts across both machines"):
        attacker = Visitor()
        token = attacker.csrf_token(a.base, "/auth/login")
        wrong = {"email": seed.holder_email, "password": "wrong-password", "csrf_token": token}
        statuses = [attacker.request((a, b)[n % 2].base, "/auth/login", wrong).status for n in range(LOGIN_LIMIT)]
        assert statuses == [422] * LOGIN_LIMIT  # five on each machine: neither alone is at the limit
        right = {**wrong, "password": PASSWORD}
        assert attacker.request(a.base, "/auth/login", right).status == 429
        assert attacker.request(b.base, "/auth/login", right).status == 429

    serial, check_code, pdf_sha256 = deployment.wait(deployment.certificate, "A's worker to issue the certificate")
    holder.sign_in(b.base, seed.holder_email)
    from_a = holder.request(a.base, f"/certificates/{serial}.pdf")
    from_b = holder.request(b.base, f"/certificates/{serial}.pdf")

    with subtests.test("B serves the PDF A's worker made, byte for byte"):
        assert from_a.status == 200, f"A answered {from_a.status}:\n{deployment.log('a-web')}"
        assert hashlib.sha256(from_a.body).hexdigest() == pdf_sha256
        assert from_b.status == 200, f"B answered {from_b.status}:\n{deployment.log('b-web')}"
        assert from_b.body == from_a.body

    # Both at once, as a verifier's first requests may come: two machines that each made a key of their
    # own on first use would publish different sets.
    with ThreadPoolExecutor(max_workers=2) as pool:
        jwks_a, jwks_b = pool.map(lambda machine: Visitor().request(machine.base, "/.well-known/jwks.json"), (a, b))
    with subtests.test("the JWK Sets are identical"):
        assert jwks_a.status == jwks_b.status == 200
        assert jwks_b.body == jwks_a.body

    with subtests.test("a credential fetched from B verifies with A's keys, by kid"):
        query = urllib.parse.urlencode({"c": check_code})
        credential = Visitor().request(b.base, f"/verify/{serial}.credential?{query}")
        assert credential.status == 200, f"B answered {credential.status}:\n{deployment.log('b-web')}"
        keys_of_a = json.loads(jwks_a.body)
        token = jwt.decode(credential.text, KeySet.import_key_set(keys_of_a), algorithms=["ES256"])
        assert token.header["kid"] in {key["kid"] for key in keys_of_a["keys"]}
        assert token.claims["jti"] == f"{a.env['BASE_URL']}/verify/{serial}.credential"
        assert token.claims["credentialSubject"]["name"] == "Анна Смирнова"

    with subtests.test("no machine's folder holds a certificate; the bucket does"):
        pdf = from_a.body
        assert _files_holding_certificates(a.instance, pdf) == []
        assert _files_holding_certificates(b.instance, pdf) == []
        stored = deployment.bucket_objects()
        assert any(hashlib.sha256(body).hexdigest() == pdf_sha256 for body in stored.values()), sorted(stored)

