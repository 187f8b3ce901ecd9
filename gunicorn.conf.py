"""gunicorn's settings, read from the working directory (`gunicorn wsgi:app` run in the project's root)."""
import gc


def post_worker_init(worker):
    """A worker has loaded the app: before its first request, it does the once-per-process work that
    request would otherwise wait for (reads only; see app.calendar.services.warm_up). Warming is only
    a head start, so a failure is logged and the worker serves anyway."""
    from app.calendar import services as calendar

    try:
        with worker.wsgi.app_context():
            calendar.warm_up()
    except Exception:  # noqa: BLE001 - whatever failed, the first request does this work itself
        worker.log.exception("warm-up failed; the first feed request will do its work")
    gc.freeze()  # what the warm-up made lives as long as the worker: out of the collector's scans, as wsgi.py does
