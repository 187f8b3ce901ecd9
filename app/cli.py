"""flask --app wsgi … commands (DESIGN §6)."""
import click

from app.accounts import services as accounts
from app.accounts.models import Role
from app.errors import DomainError
from app.extensions import db, huey

ROLE_CHOICES = click.Choice([r.value for r in Role])


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles", multiple=True, type=ROLE_CHOICES, help="May be given several times.")
def create_user_command(email, password, full_name, roles):
    """Create an account (every account is also a trainee)."""
    try:
        user = accounts.build_user(email=email, password=password, full_name=full_name,
                                   roles=[Role(r) for r in roles] or [Role.TRAINEE])
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(_describe(error)) from error
    click.echo(f"created user {user.id} {user.email} roles={','.join(sorted(r.value for r in user.roles))}")


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
@click.option("--workers", default=2, show_default=True)
def worker_command(workers):
    """Run the Huey consumer (mail, reminders, waitlist expiry, certificate jobs)."""
    click.echo(f"Huey consumer on {type(huey.storage).__name__}, {workers} worker thread(s)")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=True)
    consumer.run()


def _describe(error: DomainError) -> str:
    parts = [str(error.message)]
    for name, messages in error.fields.items():
        parts.append(f"{name}: {'; '.join(str(m) for m in messages)}")
    return " — ".join(dict.fromkeys(parts))


def init_app(app) -> None:
    for command in (create_user_command, create_api_token_command, worker_command):
        app.cli.add_command(command)
