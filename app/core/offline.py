"""What every page that works offline shares: the key a device gives each entry it keeps until it can
send it (a retried send of the same key is the same entry, never a second one)."""
import uuid
from datetime import datetime


def valid_key(value) -> str | None:
    """A device's idempotency key: a UUID in its canonical text form, or None."""
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def device_time(value) -> datetime | None:
    """When an entry was made on the device (ISO 8601 with an offset), or None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo is not None else None
