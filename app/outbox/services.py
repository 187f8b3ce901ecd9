"""STAND-IN for the seam's outbox (issue 9) until it lands on main: same API, replaced at merge.

emit() records a message in the current unit of work; after the commit each message is handed
to the worker, which calls the handler its area registered with @handler(topic).
"""
from collections.abc import Callable

_handlers: dict[str, Callable[[dict], None]] = {}


def handler(topic: str):
    def decorator(func):
        _handlers[topic] = func
        return func

    return decorator


def emit(topic: str, **payload) -> None:
    from app.extensions import db

    db.session.info.setdefault("outbox_pending", []).append((topic, payload))


def dispatch_pending(session) -> None:
    from app.tasks import deliver_outbox_message

    pending = session.info.pop("outbox_pending", [])
    for topic, payload in pending:
        deliver_outbox_message(topic, payload)


def deliver(topic: str, payload: dict) -> None:
    _handlers[topic](payload)
