"""Per-area message catalogs: extract, update, compile, check.

Each area keeps its own catalog in app/<area>/translations/ru/LC_MESSAGES/messages.po
and beside it bg/, pl/, lt/ (msgids are English; Russian is the default UI language). Flask-Babel
merges them all. LOCALES are the catalogs' languages; English needs none (the msgids are English).

    python scripts/i18n.py update [AREA…]   extract strings and merge them into the .po files
    python scripts/i18n.py compile           build the .mo files (run by make)
    python scripts/i18n.py check [LOCALE…]   fail if any string of these languages (all) is missing or fuzzy
"""
import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("ru", "bg", "pl", "lt")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "ngettext:1,2", "-k", "_n:1,2",
            "-k", "pgettext:1c,2", "-k", "lazy_pgettext:1c,2", "-k", "npgettext:1c,2,3"]

# Paths may be globs. Each area's mail templates (templates/notifications/<area>_*) belong to that
# area's catalog; the notifications catalog holds only the shared mail layout.
AREAS = {
    "core": ["app/core", "app/errors.py", "app/permissions.py", "templates/base.html", "templates/_forms.html",
             "templates/_language_switch.html", "templates/errors", "templates/_macros.html",
             "templates/_confirm.html", "templates/core"],
    "accounts": ["app/accounts", "templates/accounts", "templates/notifications/accounts_*"],
    "programmes": ["app/programmes", "templates/programmes", "templates/notifications/programmes_*"],
    "events": ["app/events", "templates/events", "templates/notifications/events_*"],
    "registrations": ["app/registrations", "templates/registrations", "templates/notifications/registrations_*"],
    "calendar": ["app/calendar", "templates/calendar", "templates/notifications/calendar_*"],
    "notifications": ["app/notifications", "templates/notifications/_layout*", "templates/notifications/organisers_*"],
    "api": ["app/api"],
    "outbox": ["app/outbox", "templates/outbox"],
    "certificates": ["app/certificates", "templates/certificates", "templates/notifications/certificates_*"],
    "quotas": ["app/quotas", "app/api/quotas.py", "templates/quotas", "templates/notifications/quotas_*"],
    "backup": ["app/backup"],
    "reports": ["app/reports", "templates/reports"],
    "materials": ["app/materials", "templates/materials"],
    "messaging": ["app/messaging", "templates/messaging", "templates/notifications/messaging_*"],
    "privacy": ["app/privacy", "templates/privacy"],
}


def _babel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def _catalog_dir(area: str) -> Path:
    return ROOT / "app" / area / "translations"


def update(areas: list[str]) -> None:
    os.chdir(ROOT)  # babel matches babel.cfg patterns against paths relative to here
    for area in areas or AREAS:
        inputs = sorted({str(p.relative_to(ROOT)) for pattern in AREAS[area] for p in ROOT.glob(pattern)})
        if not inputs:
            continue
        directory = _catalog_dir(area)
        directory.mkdir(parents=True, exist_ok=True)
        pot = directory / "messages.pot"
        _babel("extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location", "--sort-output",
               "--omit-header", "-o", str(pot), *inputs)
        for locale in LOCALES:
            po = directory / locale / "LC_MESSAGES" / "messages.po"
            if po.exists():
                _babel("update", "-i", str(pot), "-d", str(directory), "-l", locale, "--no-fuzzy-matching",
                       "--ignore-obsolete")
            else:
                _babel("init", "-i", str(pot), "-d", str(directory), "-l", locale)
        pot.unlink()


def compile_all() -> None:
    for area in AREAS:
        directory = _catalog_dir(area)
        if any(directory.glob("*/LC_MESSAGES/messages.po")):
            _babel("compile", "-d", str(directory))


def missing(locales: tuple[str, ...] = LOCALES) -> list[str]:
    problems = []
    for area in AREAS:
        for locale in locales:
            po = _catalog_dir(area) / locale / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                continue
            with po.open("rb") as handle:
                catalog = read_po(handle)
            for message in catalog:
                if not message.id:
                    continue
                strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
                if message.fuzzy or not all(strings):
                    problems.append(f"{po.relative_to(ROOT)}: {message.id!r}")
    return problems


def main(argv: list[str]) -> int:
    command, *rest = argv or ["compile"]
    if command == "update":
        update(rest)
    elif command == "compile":
        compile_all()
    elif command == "check":
        problems = missing(tuple(rest) or LOCALES)
        for line in problems:
            print(line)
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
