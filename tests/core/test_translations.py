"""Every msgid has a Russian translation (Russian is the default UI language)."""
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "i18n.py"


def _i18n():
    spec = importlib.util.spec_from_file_location("praktika_i18n", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECKED_AREAS = tuple(
    area for area in _i18n().AREAS
    if (SCRIPT.parent.parent / "app" / area / "translations" / "ru" / "LC_MESSAGES" / "messages.po").exists()
)


@pytest.mark.parametrize("area", CHECKED_AREAS)
def test_catalog_is_complete(area):
    prefix = f"app/{area}/translations/"
    problems = [line for line in _i18n().missing(("ru",)) if line.startswith(prefix)]
    assert problems == [], "untranslated or fuzzy (run scripts/i18n.py update, fill msgstr):\n" + "\n".join(problems)


@pytest.mark.parametrize("area", CHECKED_AREAS)
def test_catalog_is_compiled_and_current(area):
    directory = SCRIPT.parent.parent / "app" / area / "translations" / "ru" / "LC_MESSAGES"
    po, mo = directory / "messages.po", directory / "messages.mo"
    assert mo.exists(), "run `python scripts/i18n.py compile` (make does it)"
    assert mo.stat().st_mtime >= po.stat().st_mtime, "the .mo is older than the .po: run scripts/i18n.py compile"


@pytest.mark.parametrize("locale", ["ru", "bg", "pl", "lt"])
def test_a_msgid_shared_by_catalogs_has_one_translation(locale):
    """Flask-Babel merges all catalogs into one, so a msgid shared by two catalogs gets one of their
    translations arbitrarily: the same English text (in the same msgctxt) must read the same in every
    catalog of a language. Where a context needs a different form (gender, number), use pgettext."""
    from babel.messages.pofile import read_po

    translations: dict[tuple, dict[str, object]] = {}
    for po in sorted((SCRIPT.parent.parent / "app").glob(f"*/translations/{locale}/LC_MESSAGES/messages.po")):
        area = po.relative_to(SCRIPT.parent.parent / "app").parts[0]
        with po.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    string = tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string
                    translations.setdefault((message.context, msgid), {})[area] = string
    conflicts = {key: areas for key, areas in translations.items() if len(set(areas.values())) > 1}
    assert conflicts == {}, "\n".join(f"{key!r}: {areas}" for key, areas in sorted(conflicts.items(), key=str))


def test_every_area_catalog_is_loaded():
    """An area's catalog left out of the list is silently never used (the outbox page once stayed English)."""
    from pathlib import Path

    from app.config import AREAS_WITH_TRANSLATIONS

    app_dir = Path(__file__).resolve().parents[2] / "app"
    assert sorted(AREAS_WITH_TRANSLATIONS) == sorted(p.parent.name for p in app_dir.glob("*/translations"))
