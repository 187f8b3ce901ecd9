"""Who holds what of a person (pretix's data shredders, STYLE §7).

Each area that keeps personal data (a column pointing at `users.id`) says so in its own `privacy.py`,
with `register_privacy_hooks(registry)`: which of its columns point at a person, what of the person it
adds to their data export, and how it forgets them. This area sits above all the others, so it may ask
each one; no area imports another to take part. The app factory fills one registry per app from AREAS.
"""
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

# Every area that keeps personal data, in layer order: exports are assembled in this order, and
# anonymisation runs the other way round, so a higher area still reads what it needs (the event a
# registration was for, the name on the account) before the areas below it forget.
AREAS = ("accounts", "programmes", "events", "registrations", "materials", "messaging", "quotas", "certificates",
         "reports")


@dataclass(frozen=True)
class Hook:
    """One area's part. `columns` are "table.column" names of each reference to a person it holds
    (a test checks every foreign key to users is named by some hook). `export(user)` returns the
    area's sections of the export; `anonymise(user)` runs inside the deletion's unit of work;
    `to_tell(user)` names the people to mail when the person withdraws consent. An area whose rows
    only point at the account (which accounts anonymises) gives columns and nothing else."""

    area: str
    columns: tuple[str, ...]
    export: Callable | None = None
    anonymise: Callable | None = None
    to_tell: Callable | None = None


class Registry:
    def __init__(self) -> None:
        self._hooks: list[Hook] = []

    def register(self, area: str, *, columns: tuple[str, ...], export: Callable | None = None,
                 anonymise: Callable | None = None, to_tell: Callable | None = None) -> Hook:
        if any(hook.area == area for hook in self._hooks):
            raise RuntimeError(f"area {area!r} registered its privacy hook twice")
        hook = Hook(area, tuple(columns), export, anonymise, to_tell)
        self._hooks.append(hook)
        return hook

    def hooks(self) -> list[Hook]:
        """In the order the areas registered (layer order, lowest first)."""
        return list(self._hooks)


def init_app(app: Flask) -> None:
    """Ask every area in AREAS for its hook (each area's `privacy.register_privacy_hooks`)."""
    registry = Registry()
    for area in AREAS:
        importlib.import_module(f"app.{area}.privacy").register_privacy_hooks(registry)
    app.extensions["privacy"] = registry


def registry() -> Registry:
    return current_app.extensions["privacy"]
