"""Huey tasks: thin wrappers that call services. Arguments are ids and plain data only."""
from app.extensions import app_task
from app.notifications import services as notifications


@app_task(retries=3, retry_delay=60)
def deliver_mail(raw_message: str) -> None:
    notifications.deliver(raw_message)


@app_task()
def ping(value: str) -> str:
    """Round-trip check for the job backend (used by the health tests)."""
    return f"pong:{value}"
