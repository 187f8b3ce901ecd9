"""flask --app wsgi issue-certificates --event ID --kind participation|completion (DESIGN §6), and
rotate-signing-key."""
import click

from app.accounts import services as accounts
from app.certificates import jobs, rendering, signing_keys
from app.certificates.models import CertificateKind, IssuanceJob
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db


@click.command("issue-certificates")
@click.option("--event", "event_id", type=int, required=True, help="The event's id.")
@click.option("--kind", type=click.Choice([k.value for k in CertificateKind]), required=True)
@click.option("--layout", default="classic", show_default=True, help="A folder in certificates/.")
@click.option("--as", "actor_email", default=None, help="The organiser recorded as issuer and signatory.")
def issue_certificates_command(event_id, kind, layout, actor_email):
    """Issue certificates to everyone eligible who has none yet, with a progress bar.

    Runs as a job in this process: interrupted, run the command again; it issues what is still missing.
    """
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"no event with id {event_id}")
    if layout not in rendering.layouts():
        raise click.ClickException(f"no layout {layout!r}; choose from {', '.join(rendering.layouts())}")
    actor = accounts.find_user_by_email(actor_email) if actor_email else None
    if actor_email and actor is None:
        raise click.ClickException(f"no user with email {actor_email}")
    kind = CertificateKind(kind)
    try:
        user_ids = jobs.eligible_user_ids(event, kind)
        if not user_ids:
            click.echo("nobody is eligible without a certificate: nothing to issue")
            return
        job = jobs.create_job(event, kind, user_ids, actor, layout_name=layout, start=False)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"job {job.id}: {len(user_ids)} {kind.value} certificate(s) for event {event.id} «{event.title}»")
    with click.progressbar(length=job.total, label="issuing", show_pos=True, show_eta=True) as bar:
        seen = [0]

        def advance(current: IssuanceJob) -> None:
            processed = current.done + current.failed
            bar.update(processed - seen[0])
            seen[0] = processed

        jobs.run_job(job.id, progress=advance)
    job = db.session.get(IssuanceJob, job.id, populate_existing=True)
    for error in job.errors:
        click.echo(f"failed: {error.get('name') or error['user_id']}: {error['reason']}", err=True)
    click.echo(f"{job.done} issued, {job.failed} failed")
    if job.failed:
        raise SystemExit(1)


@click.command("rotate-signing-key")
def rotate_signing_key_command():
    """Make a new credential signing key and print its kid; every machine signs with it from its next
    signature. The old key stops signing but stays in /.well-known/jwks.json, so what it signed verifies."""
    retired = signing_keys.signing_kid()
    kid = signing_keys.rotate()
    click.echo(f"retired from signing, still published: {retired}; new signing key:", err=True)
    click.echo(kid)
