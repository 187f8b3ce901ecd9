"""flask --app wsgi … commands (DESIGN §6)."""
import csv
import logging

import click

from app import worker
from app.accounts import services as accounts
from app.accounts.models import Role
from app.backup import services as backup
from app.certificates.commands import issue_certificates_command, rotate_signing_key_command
from app.core.i18n import LOCALES
from app.demo import seed_demo_command
from app.errors import DomainError
from app.extensions import QUEUE_NAMES, queues
from app.messaging import services as messaging
from app.quotas import services as quotas
from app.registrations import services as registrations

log = logging.getLogger(__name__)
ROLE_CHOICES = click.Choice([r.value for r in Role])


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles", multiple=True, type=ROLE_CHOICES, help="May be given several times.")
@click.option("--region", "region_code", default=None, help="ISO 3166-2 code, e.g. RU-SAM.")
@click.option("--locale", default="ru", show_default=True, type=click.Choice(list(LOCALES)))
def create_user_command(email, password, full_name, roles, region_code, locale):
    """Create an account (every account is also a trainee)."""
    try:
        user = accounts.create_user(email=email, password=password, full_name=full_name,
                                    region_code=region_code, locale=locale,
                                    roles=[Role(r) for r in roles] or [Role.TRAINEE])
    except DomainError as error:
        raise click.ClickException(_describe(error)) from error
    click.echo(f"created user {user.id} {user.email} roles={','.join(sorted(r.value for r in user.roles))}")


@click.command("import-users")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--collected-by", "collected_by", default=None, metavar="EMAIL",
              help="The organiser who collected these people's consent to data processing (on paper, by mail).")
def import_users_command(csv_file, collected_by):
    """Create accounts from a CSV file (email,full_name,organisation,region,roles,password).

    Each good row is saved in its own transaction; each bad row is reported with its line number
    and left out. An empty password gets a generated one, printed once. Exits 1 if any row failed.
    Each person's consent is recorded as collected by the organiser (--collected-by, else the command
    line); they confirm it themselves on their first visit to /me.
    """
    collector = None
    if collected_by:
        collector = accounts.find_user_by_email(collected_by)
        if collector is None:
            raise click.ClickException(f"--collected-by: no account with the email {collected_by}")
    reader = csv.DictReader(csv_file)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in accounts.IMPORT_COLUMNS if name not in header]
    if missing:
        raise click.ClickException(f"line 1: missing column(s) {', '.join(missing)}; "
                                   f"expected {','.join(accounts.IMPORT_COLUMNS)}")
    reader.fieldnames = header
    created = failed = 0
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        if None in row:
            failed += 1
            click.echo(f"line {line}: too many values (expected {len(header)} columns)", err=True)
            continue
        email = (row.get("email") or "").strip() or "?"
        try:
            result = accounts.import_user(row, actor=collector)
        except DomainError as error:
            failed += 1
            click.echo(f"line {line}: {email}: {_describe(error)}", err=True)
            continue
        except Exception as error:  # noqa: BLE001 — any failure of one row is reported and the import goes on
            failed += 1
            log.warning("import-users line %s failed: %s: %s", line, type(error).__name__, error)
            click.echo(f"line {line}: {email}: could not be saved ({type(error).__name__}: "
                       f"{str(error).splitlines()[0][:200] if str(error) else 'no details'})", err=True)
            continue
        created += 1
        user = result.user
        roles = ",".join(sorted(r.value for r in user.roles))
        password_note = f" password={result.generated_password}" if result.generated_password else ""
        click.echo(f"line {line}: created {user.email} roles={roles}{password_note}")
    click.echo(f"{created} created, {failed} failed")
    if failed:
        raise SystemExit(1)


@click.command("create-api-token")
@click.option("--email", required=True)
@click.option("--name", default="cli", show_default=True)
def create_api_token_command(email, name):
    """Print a new API token for the user (only its hash is stored)."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    click.echo(accounts.create_api_token(user, name=name))


@click.command("worker")
@click.option("--queue", "queue_names", multiple=True, type=click.Choice(QUEUE_NAMES),
              help="Consume this queue (may be given twice); no periodic tasks are scheduled.")
@click.option("--scheduler", is_flag=True,
              help="Enqueue the periodic tasks once a minute; exactly one machine runs this.")
@click.option("--workers", default=2, show_default=True, help="Worker threads per queue.")
def worker_command(queue_names, scheduler, workers):
    """Run background work: mail, waitlist offers and expiry, reminders, digests, certificate jobs.

    Without --queue and --scheduler (one machine, `make run`): both queues and the scheduler.
    """
    if not queue_names and not scheduler:
        queue_names, scheduler = QUEUE_NAMES, True
    store = type(queues[QUEUE_NAMES[0]].storage).__name__
    parts = [f"{name} queue ({workers} thread(s))" for name in dict.fromkeys(queue_names)]
    parts += ["the scheduler of periodic tasks"] if scheduler else []
    click.echo(f"Huey worker on {store}: {', '.join(parts)}")
    worker.run(list(dict.fromkeys(queue_names)), workers=workers, scheduler=scheduler)


def _describe(error: DomainError) -> str:
    """"field: reason" for each field error, or the message alone."""
    if not error.fields:
        return str(error.message)
    return "; ".join(f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in error.fields.items())


@click.command("send-reminders")
def send_reminders_command():
    """Mail confirmed participants the day before their event's first session (each once); run the
    quotas' follow-up: pace check, curator tasks, catch-up requests, reminders and curator digests;
    mail organisers their daily digest (each at most once a day)."""
    expired = registrations.expire_offers()
    sent = registrations.send_reminders()
    click.echo(f"reminders sent: {sent}; expired offers passed on: {expired}")
    follow_up = quotas.send_reminders()
    click.echo(f"quotas: {follow_up.tasks_opened} tasks opened, {follow_up.tasks_closed} closed, "
               f"{follow_up.catch_up_requested} catch-up plans asked for, {follow_up.behind_reminders} behind-pace "
               f"reminders, {follow_up.last_weeks_warnings} last-two-weeks warnings, {follow_up.digests} curator digests")
    click.echo(f"organiser digests sent: {messaging.send_digests()}")


@click.command("export-data")
@click.option("--programme", "programme_id", type=int, default=None,
              help="Only this programme: its events, registrations and the people in them.")
@click.option("--without-notes", is_flag=True, help="Leave consultation and mentoring notes out.")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_data_command(programme_id, without_notes, path):
    """Write a consistent export: one JSON file per table, the stored files (or, with an S3 store, their
    keys and checksums) and a manifest with checksums (a .zip)."""
    try:
        result = backup.export_data(path, programme_id=programme_id, without_notes=without_notes)
    except DomainError as error:
        raise click.ClickException(_describe(error)) from error
    files = f"{result.files} stored files" + ("" if result.carried else " listed (they stay in the bucket)")
    click.echo(f"exported {sum(result.tables.values())} rows of {len(result.tables)} tables and {files} to {path}")
    for key in result.missing_files:
        click.echo(f"warning: {key} is named by a row but not in the store (erased, or deleted while the export "
                   "ran); it is not in the export", err=True)


@click.command("import-data")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_data_command(path):
    """Restore an export into an empty database (run `flask db upgrade` on it first) and its files into
    this installation's store (with an S3 store: check they are all in the bucket, unchanged)."""
    try:
        result = backup.import_data(path)
    except DomainError as error:
        raise click.ClickException(_describe(error)) from error
    click.echo(f"imported {sum(result.tables.values())} rows of {len(result.tables)} tables and "
               f"{result.files} stored files from {path}")


def init_app(app) -> None:
    for command in (create_user_command, import_users_command, create_api_token_command, worker_command,
                    send_reminders_command, seed_demo_command, export_data_command, import_data_command,
                    issue_certificates_command, rotate_signing_key_command):
        app.cli.add_command(command)
