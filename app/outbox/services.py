"""The transactional outbox (STYLE §6: Frappe's Email Queue, cosmicpython's message bus).

A service that causes a mail or a job calls `emit(topic, **payload)` inside its unit of work: the
row commits with the change or not at all. After the commit the worker is woken; it delivers due
rows one at a time by calling the handler that the owning area registered for the topic
(`@handler("certificates.run_job")`, or `notifications.mail_handler(...)` for mail, in
`app/<area>/tasks.py`). A handler gets the row's payload and, as `outbox_id`, the row's id: what must
stay the same when the row is delivered again (a mail's Message-ID) is derived from it.

Delivery is at least once:
- A row is claimed by a conditional UPDATE (pending → sending) committed before its handler runs,
  so two workers never deliver one row at the same time, and a row marked sent is never delivered again.
- The handler runs inside the unit of work that marks the row sent. Its effects in the database commit
  with that mark; an effect outside it (a mail handed to SMTP) happens before the commit, so a worker
  that dies in between, or a commit that fails, delivers the row again. Handlers are therefore
  idempotent where they can be (they re-read the state), and a repeated mail carries the same
  Message-ID, so a receiving server or reader can tell the repeat.
- A failing handler leaves the row pending with exponential backoff (1 min, 2, 4 … at most 1 h);
  after MAX_ATTEMPTS it is failed, with its error, for an administrator to retry.
- A worker killed between the claim and the mark leaves the row "sending"; after LEASE it is due
  again (the mail keeps its Message-ID, so a receiving server can tell a repeat). Nothing is lost.
- A job (`@handler(topic, own_units=True, lease=…)`, e.g. bulk issuance) runs outside the unit that
  marks its row sent and opens its own units, so its progress commits as it goes; its row stays
  "sending" while it runs and is due again `lease()` after the claim, so a killed worker's job is
  resumed by the next delivery. A handler that must wait (another runner holds the work) raises
  RetryLater: the row is due again after that many seconds, and the wait is not counted as a failure.

Two queues (app/extensions.py): each row belongs to INTERACTIVE (someone is waiting for it: an offered
seat, a password reset, an approval) or BULK (issuance jobs and their mails, message fan-out, digests,
reminders, news of a changed event to everyone registered). A handler declares its topic's queue; an
emitter whose topic mixes both says so per row (`emit(…, queue=BULK)`). The row keeps its queue in its
payload (rows written before there were queues have none and count as interactive). After the commit
only that queue's worker is woken, and it delivers only that queue's rows, so a thousand certificate
mails waiting in the outbox never delay an offer: the interactive worker does not see them.
"""
import logging
from collections.abc import Callable
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, true, update

from app import clock
from app.database import current_unit, lock_row, unit_of_work
from app.errors import Conflict, NotFound
from app.extensions import INTERACTIVE, QUEUE_NAMES, db
from app.outbox.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=15)
ERROR_MAX = 2000

Handler = Callable[[dict], None]
_handlers: dict[str, Handler] = {}
_own_units: set[str] = set()
_leases: dict[str, Callable[[], timedelta]] = {}
_queues: dict[str, str] = {}
_wakers: dict[str, list[Callable[[], None]]] = {queue: [] for queue in QUEUE_NAMES}


class RetryLater(Exception):
    """Raised by a handler whose work cannot go on yet; its row is due again after `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry in {seconds:.0f} s")
        self.seconds = seconds


def handler(topic: str, *, queue: str = INTERACTIVE, own_units: bool = False,
            lease: Callable[[], timedelta] | None = None):
    """Register the function that delivers rows of `topic` (one per topic, in the owning area's tasks.py).
    `queue`: where the topic's rows go unless the emitter says otherwise; `own_units`: a job that opens
    its own units of work; `lease`: how long after its claim a row that is still "sending" is taken for
    lost (LEASE unless given)."""
    if queue not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {queue!r}")

    def register(func: Handler) -> Handler:
        if topic in _handlers and _handlers[topic] is not func:
            raise RuntimeError(f"outbox topic {topic!r} has two handlers")
        _handlers[topic] = func
        _queues[topic] = queue
        if own_units:
            _own_units.add(topic)
        if lease is not None:
            _leases[topic] = lease
        return func

    return register


def topics() -> list[str]:
    return sorted(_handlers)


def on_wake(queue: str, waker: Callable[[], None]) -> None:
    """Register how `queue`'s worker is woken after a commit that wrote rows of that queue."""
    if waker not in _wakers[queue]:
        _wakers[queue].append(waker)


def _waking(queue: str) -> Callable[[], None]:
    def wake() -> None:
        for waker in _wakers[queue]:
            waker()

    return wake


# One callback per queue, so that a unit writing many rows wakes each queue once (after_commit dedupes).
_wake = {queue: _waking(queue) for queue in QUEUE_NAMES}


def queue_of(topic: str) -> str:
    """The queue a topic's rows go to unless their emitter says otherwise."""
    return _queues.get(topic, INTERACTIVE)


def emit(topic: str, *, queue: str | None = None, summary: str = "", **payload) -> OutboxMessage:
    """Record a consequence of the current change; it is delivered after the commit, at least once, by
    the worker of `queue` (the topic's own queue unless given)."""
    if "outbox_id" in payload or "queue" in payload:
        raise ValueError("outbox_id and queue are not payload keys")
    queue = queue or queue_of(topic)
    if queue not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {queue!r}")
    unit = current_unit()
    message = OutboxMessage(topic=topic, payload={**payload, "summary": summary[:200], "queue": queue},
                            state=OutboxState.PENDING, attempts=0, available_at=clock.now(), last_error="")
    db.session.add(message)
    unit.after_commit(_wake[queue])
    return message


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def _due_filter(now):
    lost = [OutboxMessage.claimed_at <= now - LEASE]
    lost += [and_(OutboxMessage.topic == topic, OutboxMessage.claimed_at <= now - lease())
             for topic, lease in sorted(_leases.items())]
    return or_(
        and_(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.available_at <= now),
        and_(OutboxMessage.state == OutboxState.SENDING, or_(*lost)),
    )


def _in_queue(queue: str | None):
    if queue is None:
        return true()
    return func.coalesce(OutboxMessage.payload["queue"].as_string(), INTERACTIVE) == queue


def deliver_due(queue: str | None = None, limit: int = 500) -> int:
    """Deliver every due row of `queue` (of every queue when None), oldest first, at most `limit`;
    return how many were delivered."""
    with unit_of_work():
        due = db.session.scalars(select(OutboxMessage.id).where(_due_filter(clock.now()), _in_queue(queue))
                                 .order_by(OutboxMessage.id).limit(limit)).all()
    return sum(1 for message_id in due if _claim(message_id) and _deliver(message_id))


def _claim(message_id: int) -> bool:
    now = clock.now()
    with unit_of_work():
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _due_filter(now))
            .values(state=OutboxState.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    return claimed == 1


def _deliver(message_id: int) -> bool:
    """Run the handler and mark the row sent in one unit (a job: mark it once the job has returned);
    on failure, schedule a retry or give up."""
    try:
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        if message.topic in _own_units:
            _handlers[message.topic]({**message.payload, "outbox_id": message.id})
        with unit_of_work():
            message = db.session.get(OutboxMessage, message_id, populate_existing=True)
            if message.topic not in _own_units:
                deliver = _handlers.get(message.topic)
                if deliver is None:
                    raise LookupError(f"no handler for outbox topic {message.topic!r}")
                deliver({**message.payload, "outbox_id": message.id})
            message.state = OutboxState.SENT
            message.sent_at = clock.now()
            message.last_error = ""
        return True
    except RetryLater as wait:
        with unit_of_work():
            message = db.session.get(OutboxMessage, message_id, populate_existing=True)
            message.state = OutboxState.PENDING
            message.attempts -= 1
            message.available_at = clock.now() + timedelta(seconds=wait.seconds)
        return False
    except Exception as exc:  # any failure of a handler is recorded on its row, never lost
        log.warning("outbox message %s failed: %s", message_id, exc)
        with unit_of_work():
            message = db.session.get(OutboxMessage, message_id, populate_existing=True)
            message.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
            if message.attempts >= MAX_ATTEMPTS:
                message.state = OutboxState.FAILED
            else:
                message.state = OutboxState.PENDING
                message.available_at = clock.now() + backoff(message.attempts)
        return False


def retry(message_id: int, actor) -> OutboxMessage:
    """An administrator sends a failed row again (now, with a fresh count of attempts)."""
    with unit_of_work() as unit:
        message = lock_row(OutboxMessage, message_id)
        if message is None:
            raise NotFound()
        if message.state != OutboxState.FAILED:
            raise Conflict(_l("Only failed messages can be sent again."))
        message.state = OutboxState.PENDING
        message.attempts = 0
        message.available_at = clock.now()
        log.info("outbox message %s retried by user %s", message_id, getattr(actor, "id", None))
        unit.after_commit(_wake[message.payload.get("queue") or INTERACTIVE])
    return message


# --- what an administrator sees ------------------------------------------------------------

PAGE_SIZE = 50


def counts_by_state() -> dict[OutboxState, int]:
    rows = db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    counts = {state: 0 for state in OutboxState}
    counts.update(dict(rows))
    return counts


def recent(state: OutboxState | None, page: int) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return list(db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
