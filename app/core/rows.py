"""A row as JSON values, for a person's data export: each area's privacy hook describes its own rows
with these, so every part of the export reads the same way."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect

# Never part of an export: what would let someone sign in or read a feed as the person.
SECRET_COLUMNS = {"password_hash", "calendar_token", "session_version", "token_hash"}


def plain(value):
    """A column value as JSON: dates as ISO text, enums as their value, decimals as numbers."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def columns(row, skip=()) -> dict:
    """Every column of a row as JSON values, secrets left out."""
    return {attr.key: plain(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs
            if attr.key not in SECRET_COLUMNS and attr.key not in skip}
