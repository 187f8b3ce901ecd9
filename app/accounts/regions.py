"""Regions are ISO 3166-2 subdivisions from pycountry, named in the user's language."""
import gettext
from functools import lru_cache

import pycountry
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from app.accounts.region_names import ENGLISH_NAMES

COUNTRIES = ("RU", "BG", "PL", "LT")


@lru_cache(maxsize=16)
def _iso_translations(domain: str, locale: str):
    """iso-codes' catalog of `domain` ("iso3166-1" countries, "iso3166-2" subdivisions) in `locale`;
    where pycountry ships none, a null catalog that answers every name with itself (English)."""
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[locale], fallback=True)


def _locale() -> str:
    return str(get_locale() or "ru")


def _country_name(country_code: str) -> str:
    country = pycountry.countries.get(alpha_2=country_code)
    return _iso_translations("iso3166-1", _locale()).gettext(country.name)


def region_name(code: str | None) -> str:
    """Localised name: the common English name in English; else our catalogs (Russia's regions), then
    iso-codes' translation in the reader's language, then the English name when neither has one."""
    if not code:
        return ""
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is None:
        return code
    english = ENGLISH_NAMES.get(code, subdivision.name)
    locale = _locale()
    if locale == "en":
        return english
    ours = _(subdivision.name)
    if ours != subdivision.name:
        return ours
    theirs = _iso_translations("iso3166-2", locale).gettext(subdivision.name)
    return theirs if theirs != subdivision.name else english


@lru_cache(maxsize=1)
def region_codes() -> frozenset[str]:
    return frozenset(s.code for c in COUNTRIES for s in pycountry.subdivisions.get(country_code=c))


def is_region(code: str | None) -> bool:
    return bool(code) and code in region_codes()


def _unambiguous(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Two entries of one country must not read alike: when a name is another's with a qualifier
    ("Вильнюс" beside "Вильнюс (город)", a district municipality beside the city municipality of the
    same name), the bare one is labelled a district ("Вильнюс (район)")."""
    names = [name for _code, name in entries]
    return [(code, _("%(name)s (district)", name=name)
             if any(other.startswith(f"{name} (") for other in names) else name) for code, name in entries]


def region_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(country name, [(code, region name), …]), …]: Russia first, regions sorted by localised name,
    no two of a country alike (_unambiguous)."""
    groups = []
    for country_code in COUNTRIES:
        entries = _unambiguous([(s.code, region_name(s.code))
                                for s in pycountry.subdivisions.get(country_code=country_code)])
        groups.append((_country_name(country_code), sorted(entries, key=lambda item: item[1].casefold())))
    return groups


def region_choices(include_blank: bool = True) -> list[tuple[str, str]]:
    """(code, "name (country)") for plain selects, Russia first, sorted by localised name."""
    choices = [("", _("— choose a region —"))] if include_blank else []
    for country, entries in region_groups():
        choices.extend((code, f"{name} ({country})") for code, name in entries)
    return choices


def region_select_choices(include_blank: bool = True) -> list:
    """WTForms choices grouped by country (<optgroup>), Russia first."""
    choices = [SelectChoice("", _("— choose a region —"))] if include_blank else []
    for country, entries in region_groups():
        choices.extend(SelectChoice(code, name, optgroup=country) for code, name in entries)
    return choices
