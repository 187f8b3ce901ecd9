"""The background worker process (`flask worker`): consumers of the job queues, and the scheduler that
enqueues periodic tasks (pretix's scaling guide: work split by queue, exactly one scheduler).

- `--queue interactive` / `--queue bulk`: Huey consumers of that queue (`--workers` threads each); they
  run tasks and never enqueue periodic ones. Run one interactive worker and as many bulk ones as the
  bulk work needs, on any machines that share the database, Redis and the file store.
- `--scheduler`: enqueues each queue's periodic tasks (outbox sweeps, waitlist expiry, reminders,
  digests…) once a minute and runs nothing itself. Exactly one machine runs it: two schedulers enqueue
  everything twice (harmless, every periodic task is idempotent, but wasted).
- neither (`make run`, one machine): both queues' consumers and the scheduler in one process.

Signals: SIGTERM (and SIGHUP) stop at once, as with Huey's own consumer (a task cut short is picked up
again: an outbox row is due again when its lease runs out, an issuance job resumes where it stopped);
SIGINT lets running tasks finish first.
"""
import logging
import signal
import threading
import time
from datetime import UTC, datetime

from huey import Huey
from huey.consumer import Consumer

from app.extensions import queues

log = logging.getLogger(__name__)

# The longest an idle consumer sleeps between looks at a store that cannot block (the SQLite queue);
# with Redis a consumer waits on the queue itself and wakes at once.
IDLE_POLL_SECONDS = 1.0
HEALTH_CHECK_SECONDS = 10.0


def enqueue_periodic(minute: datetime) -> int:
    """Enqueue, on its own queue, every periodic task due at `minute` (naive UTC, as Huey's crontab
    reads it); return how many."""
    count = 0
    for name, queue in queues.items():
        for task in queue.read_periodic(minute):
            try:
                queue.enqueue(task)
                count += 1
            except Exception:  # a store that does not answer now: the next minute tries again
                log.exception("could not enqueue periodic task %s on %s", task.name, name)
    return count


def _run_scheduler(stop: threading.Event) -> None:
    """Once at the start of every minute (and at start-up, for the current one); minutes missed while the
    machine was suspended are skipped, as Huey's own scheduler does."""
    done = None
    while not stop.is_set():
        now = datetime.now(UTC).replace(tzinfo=None)
        minute = now.replace(second=0, microsecond=0)
        if minute != done:
            enqueued = enqueue_periodic(minute)
            if enqueued:
                log.info("scheduler: %d periodic task(s) enqueued for %s UTC", enqueued, f"{minute:%H:%M}")
            done = minute
        stop.wait(60 - now.second - now.microsecond / 1e6 + 0.05)


def _consumer(queue: Huey, workers: int) -> Consumer:
    return queue.create_consumer(workers=workers, worker_type="thread", periodic=False, check_worker_health=True,
                                 max_delay=IDLE_POLL_SECONDS)


def run(queue_names: list[str], *, workers: int, scheduler: bool) -> None:
    """Run the named queues' consumers and, if asked, the scheduler, until SIGTERM or SIGINT."""
    stop = threading.Event()
    received: list[int] = []
    consumers = [_consumer(queues[name], workers) for name in queue_names]
    for consumer in consumers:
        consumer.start()  # sets its own signal handlers; ours below replace them, for every consumer at once

    def on_signal(signum, _frame):
        received.append(signum)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    threads = []
    if scheduler:
        threads.append(threading.Thread(target=_run_scheduler, args=(stop,), name="Scheduler", daemon=True))
        threads[-1].start()
    checked = time.monotonic()
    while not stop.wait(0.5):
        if time.monotonic() - checked >= HEALTH_CHECK_SECONDS:
            for consumer in consumers:
                consumer.check_worker_health()
            checked = time.monotonic()
    graceful = received[:1] == [signal.SIGINT]
    log.info("worker stopping (%s)", "letting running tasks finish" if graceful else "at once")
    for consumer in consumers:
        consumer.stop(graceful=graceful)
        consumer.huey.notify_interrupted_tasks()
