"""The reports area's job: keep the change log behind the report cache small."""
from huey import crontab

from app.extensions import BULK, app_periodic_task
from app.reports import freshness


@app_periodic_task(crontab(minute="40"), queue=BULK)
def prune_programme_changes() -> None:
    """Hourly: every change row but each programme's newest goes (the cache's versions stay distinct)."""
    freshness.prune()
