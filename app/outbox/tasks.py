"""The worker side of the outbox: woken after each commit that wrote rows, and every minute anyway."""
from huey import crontab

from app.extensions import app_periodic_task, app_task
from app.outbox import services as outbox


@app_task()
def drain_outbox() -> int:
    return outbox.deliver_due()


@app_periodic_task(crontab(minute="*"))
def drain_outbox_periodically() -> int:
    """Delivers what a lost wake-up left behind (queue unreachable at commit, worker restarted)."""
    return outbox.deliver_due()


outbox.on_wake(drain_outbox)
