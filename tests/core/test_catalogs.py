"""The catalog gate: every language of Praktika is complete, in every area's catalog and every
certificate layout.

For each catalog (area × ru, bg, pl, lt): every msgid translated, nothing fuzzy, plural entries with
as many forms as the language has (ru 3, bg 2, pl 3, lt 3), the same placeholders as the msgid
(%(name)s, %s, {name}), and no msgstr that is the English msgid again unless it is listed as
intentional (app/core/translations/intentional_english.txt: proper names, units; and the regions'
own names from pycountry). Certificate layouts
(certificates/*/meta.toml) have every string in every language they list, and list every language.

The bg, pl and lt parts pass once the translators' catalogs are merged (issue 23).
"""
import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "i18n.py"
INTENTIONAL = ROOT / "app" / "core" / "translations" / "intentional_english.txt"
NPLURALS = {"ru": 3, "bg": 2, "pl": 3, "lt": 3}
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]?\d*(?:\.\d+)?[sdifr]|%[sdif]|\{(\w*)\}")
LETTERS = re.compile(r"[^\W\d_]{2}")


def _i18n():
    spec = importlib.util.spec_from_file_location("praktika_i18n", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


I18N = _i18n()
CATALOGS = [(area, locale) for area in I18N.AREAS for locale in I18N.LOCALES
            if (ROOT / "app" / area / "translations" / locale / "LC_MESSAGES" / "messages.po").exists()]


def intentional_english() -> set[str]:
    """The allow-list file, and the regions' own names (proper names: "Alytaus apskritis" is Lithuanian)."""
    import pycountry

    from app.accounts.regions import COUNTRIES

    lines = INTENTIONAL.read_text(encoding="utf-8").splitlines()
    regions = {s.name for country in COUNTRIES for s in pycountry.subdivisions.get(country_code=country)}
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")} | regions


def placeholders(text: str) -> list[str]:
    """The placeholders of a string, sorted: named ones by name, positional ones by kind."""
    return sorted(m.group(0) if not m.group(1) else f"%({m.group(1)})" for m in PLACEHOLDER.finditer(text))


def has_words(text: str) -> bool:
    """Text a reader reads as words once the placeholders are taken out ("%(a)s – %(b)s" has none)."""
    return bool(LETTERS.search(PLACEHOLDER.sub("", text)))


def problems_of(po: Path, locale: str, allowed: set[str]) -> list[str]:
    """Every way the catalog `po` in `locale` falls short, one line each (empty when complete)."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    problems = []
    if catalog.num_plurals != NPLURALS[locale]:
        problems.append(f"Plural-Forms has nplurals={catalog.num_plurals}, {locale} needs {NPLURALS[locale]}")
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
        name = repr(ids[0])
        if message.fuzzy:
            problems.append(f"{name}: fuzzy")
        if len(ids) > 1 and len(strings) != NPLURALS[locale]:
            problems.append(f"{name}: {len(strings)} plural forms, {locale} has {NPLURALS[locale]}")
        if not all(strings):
            problems.append(f"{name}: not translated")
            continue
        wanted = sorted(set(placeholders(ids[-1])) | set(placeholders(ids[0])))
        for string in strings:
            if sorted(set(placeholders(string))) != wanted:
                problems.append(f"{name}: placeholders {placeholders(string)} differ from the msgid's {wanted}")
            if string in ids and has_words(string) and ids[0] not in allowed:
                problems.append(f"{name}: left in English (list it in intentional_english.txt if meant)")
    return problems


@pytest.mark.parametrize(("area", "locale"), CATALOGS, ids=[f"{a}-{lc}" for a, lc in CATALOGS])
def test_every_catalog_is_complete(area, locale):
    po = ROOT / "app" / area / "translations" / locale / "LC_MESSAGES" / "messages.po"
    problems = problems_of(po, locale, intentional_english())
    assert problems == [], f"{po.relative_to(ROOT)}:\n" + "\n".join(problems[:60]) + \
        (f"\n… and {len(problems) - 60} more" if len(problems) > 60 else "")


def test_every_area_has_a_catalog_in_every_language():
    for area in I18N.AREAS:
        present = {locale for a, locale in CATALOGS if a == area}
        if present:
            assert present == set(I18N.LOCALES), f"{area}: catalogs for {sorted(present)} only"


def test_the_gate_finds_what_it_is_for(tmp_path):
    """The checks themselves, on a small catalog with one fault of each kind."""
    po = tmp_path / "messages.po"
    po.write_text('''msgid ""
msgstr ""
"Language: pl\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

msgid "Log in"
msgstr "Zaloguj się"

msgid "Sign up"
msgstr ""

#, fuzzy
msgid "Events"
msgstr "Wydarzenia"

#, python-format
msgid "Hello, %(name)s"
msgstr "Cześć, %(imie)s"

msgid "Reset {count}"
msgstr "Resetuj"

msgid "Programme"
msgstr "Programme"

msgid "Praktika"
msgstr "Praktika"

msgid "%(a)s – %(b)s"
msgstr "%(a)s – %(b)s"

#, python-format
msgid "%(num)d consultation"
msgid_plural "%(num)d consultations"
msgstr[0] "%(num)d konsultacja"
msgstr[1] "%(num)d konsultacje"
''', encoding="utf-8")
    found = "\n".join(problems_of(po, "pl", {"Praktika"}))
    assert "'Log in'" not in found and "'Praktika'" not in found and "'%(a)s – %(b)s'" not in found
    assert "'Sign up': not translated" in found
    assert "'Events': fuzzy" in found
    assert "'Hello, %(name)s': placeholders" in found
    assert "'Reset {count}': placeholders" in found
    assert "'Programme': left in English" in found
    assert "'%(num)d consultation': not translated" in found  # the third Polish form is missing


def test_every_certificate_layout_speaks_every_language():
    from app.certificates.rendering import STRING_KEYS
    from app.core.i18n import LOCALES

    layouts = sorted(p for p in (ROOT / "certificates").glob("*/meta.toml"))
    assert layouts
    for meta_file in layouts:
        meta = tomllib.loads(meta_file.read_text(encoding="utf-8"))
        assert set(meta["languages"]) == set(LOCALES), f"{meta_file.parent.name}: languages {meta['languages']}"
        for language in meta["languages"]:
            strings = meta["strings"].get(language, {})
            missing = [key for key in STRING_KEYS if not strings.get(key, "").strip()]
            assert missing == [], f"{meta_file.parent.name} [strings.{language}] lacks {missing}"
        english = meta["strings"]["en"]
        for language in set(meta["languages"]) - {"en"}:
            same = [k for k in ("heading", "participation_after", "completion_after", "dates", "issued")
                    if meta["strings"][language][k] == english[k]]
            assert same == [], f"{meta_file.parent.name} [strings.{language}] left in English: {same}"
