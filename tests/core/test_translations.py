"""Every msgid has a Russian translation (Russian is the default UI language)."""
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "i18n.py"
CHECKED_AREAS = ("core", "accounts", "notifications")


def _i18n():
    spec = importlib.util.spec_from_file_location("praktika_i18n", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("area", CHECKED_AREAS)
def test_catalog_is_complete(area):
    prefix = f"app/{area}/translations/"
    problems = [line for line in _i18n().missing() if line.startswith(prefix)]
    assert problems == [], "untranslated or fuzzy (run scripts/i18n.py update, fill msgstr):\n" + "\n".join(problems)


@pytest.mark.parametrize("area", CHECKED_AREAS)
def test_catalog_is_compiled_and_current(area):
    directory = SCRIPT.parent.parent / "app" / area / "translations" / "ru" / "LC_MESSAGES"
    po, mo = directory / "messages.po", directory / "messages.mo"
    assert mo.exists(), "run `python scripts/i18n.py compile` (make does it)"
    assert mo.stat().st_mtime >= po.stat().st_mtime, "the .mo is older than the .po: run scripts/i18n.py compile"
