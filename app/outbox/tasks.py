"""The worker side of the outbox, one drain per queue: woken after each commit that wrote rows of its
queue, and every minute anyway. A drain delivers only its own queue's rows, so the interactive
consumer never waits behind a bulk job or a thousand bulk mails."""
from huey import crontab

from app.extensions import BULK, INTERACTIVE, app_periodic_task, app_task
from app.outbox import services as outbox


@app_task(queue=INTERACTIVE)
def drain_interactive_outbox() -> int:
    return outbox.deliver_due(INTERACTIVE)


@app_task(queue=BULK)
def drain_bulk_outbox() -> int:
    return outbox.deliver_due(BULK)


@app_periodic_task(crontab(minute="*"), queue=INTERACTIVE)
def drain_interactive_outbox_periodically() -> int:
    """Delivers what a lost wake-up left behind (queue unreachable at commit, worker restarted)."""
    return outbox.deliver_due(INTERACTIVE)


@app_periodic_task(crontab(minute="*"), queue=BULK)
def drain_bulk_outbox_periodically() -> int:
    """The same for the bulk queue."""
    return outbox.deliver_due(BULK)


outbox.on_wake(INTERACTIVE, drain_interactive_outbox)
outbox.on_wake(BULK, drain_bulk_outbox)
