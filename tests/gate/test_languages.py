"""Every page of the route table in Bulgarian, Polish and Lithuanian shows no English or Russian UI word.

The crawl: each HTML GET page of the inventory (tests/gate/access.py ROUTES, objects from
tests/gate/builders.py), fetched by the person allowed to see it, whose saved language (and the
browser's Accept-Language) is the language under test. Its visible text (text nodes, and the
aria-label, title, placeholder, alt and button value attributes) must not contain a UI string of
the catalogs in English (a msgid) or in Russian (a Russian msgstr): a whole text equal to one, or,
for strings with placeholders, their longest fixed part. Text inside an element whose `lang` names
another language (the language switch, an event's own title) is content, not UI, and is skipped;
so are the strings of app/core/translations/intentional_english.txt.

`test_no_english_or_russian_ui_words[bg|pl|lt]` passes once the translators' catalogs are merged
(issue 23). `test_the_crawl_finds_untranslated_words_and_passes_a_complete_catalog` proves the crawl
now: with a complete pseudo-translated catalog (every msgid's letters accented, placeholders and
markup kept) no page leaks, and with the real, still empty, catalog it finds the English words.
"""
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_domain
from markupsafe import escape

from app.extensions import db
from tests.core.test_catalogs import I18N, PLACEHOLDER, ROOT, has_words, intentional_english
from tests.factories import make_user
from tests.gate import builders
from tests.gate.routes import inventory, sign_in
from tests.gate.test_a11y_browser import NOT_HTML
from tests.gate.test_csrf import _allowed_user

NEW_LOCALES = ("bg", "pl", "lt")
SKIPPED_TAGS = {"script", "style", "template", "noscript"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TEXT_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
MIN_FRAGMENT = 14  # a fixed part of a string with placeholders shorter than this is not looked for


@pytest.fixture(autouse=True)
def fresh_translations(app):
    """Flask-Babel caches catalogs per locale for the whole process, not per app: the pseudo catalogs
    must neither find the real ones cached nor stay cached for the tests that follow."""
    with app.app_context():
        get_domain().cache.clear()
    yield
    with app.app_context():
        get_domain().cache.clear()


@pytest.fixture
def app_overrides(request, tmp_path_factory):
    if "pseudo" in request.node.name:
        return {"BABEL_TRANSLATION_DIRECTORIES": pseudo_catalogs(tmp_path_factory.mktemp("pseudo"))}
    return {}


# --- the UI strings -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def ui_strings() -> tuple[frozenset[str], tuple[str, ...], frozenset[str], tuple[str, ...]]:
    """(English whole strings, English fragments, Russian whole strings, Russian fragments)."""
    allowed = intentional_english()
    english, russian = set(), set()
    for po in sorted(ROOT.glob("app/*/translations/ru/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
                if ids[0] in allowed:
                    continue
                strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
                english.update(i for i in ids if has_words(i))
                russian.update(s for s in strings if s and has_words(s) and s not in ids)

    def split(texts):
        whole = frozenset(_normal(t) for t in texts if not PLACEHOLDER.search(t) and "<" not in t)
        fragments = set()
        for text in texts:
            if PLACEHOLDER.search(text) or "<" in text:
                parts = [_normal(p) for p in re.split(PLACEHOLDER.pattern + r"|<[^>]*>", text) if p]
                longest = max(parts, key=len, default="")
                if len(longest) >= MIN_FRAGMENT and has_words(longest) and " " in longest:
                    fragments.add(longest)
        return whole, tuple(sorted(fragments))

    english_whole, english_fragments = split(english)
    russian_whole, russian_fragments = split(russian)
    return english_whole, english_fragments, russian_whole, russian_fragments


def _normal(text: str) -> str:
    return " ".join(text.split())


class VisibleText(HTMLParser):
    """The texts a reader of the page's language sees: text nodes and labelling attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page_lang = None
        self.stack: list[tuple[str, bool]] = []  # (tag, content in another language or hidden)
        self.texts: list[str] = []

    def _foreign(self) -> bool:
        return any(flag for _tag, flag in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.page_lang = attributes.get("lang")
            return
        lang = attributes.get("lang")
        foreign = tag in SKIPPED_TAGS or (lang is not None and lang != self.page_lang)
        if not (foreign or self._foreign()):
            for name in TEXT_ATTRIBUTES:
                if attributes.get(name):
                    self.texts.append(_normal(attributes[name]))
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.texts.append(_normal(attributes["value"]))
        if tag not in VOID_TAGS:
            self.stack.append((tag, foreign))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        text = _normal(data)
        if text and not self._foreign():
            self.texts.append(text)


@lru_cache(maxsize=None)
def own_strings(locale: str | None) -> frozenset[str]:
    """Every translation the page's own language has: Bulgarian shares many words with Russian
    ("Регистрация", "Дата") and Polish a few with English ("Status"), and those are not leaks."""
    if locale not in NEW_LOCALES:
        return frozenset()
    texts = set()
    for po in sorted(ROOT.glob(f"app/*/translations/{locale}/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
                texts.update(_normal(text) for text in strings if text)
    return frozenset(texts)


def leaks(html: str) -> list[str]:
    """The English or Russian UI strings the page shows, "en: …" / "ru: …"."""
    english_whole, english_fragments, russian_whole, russian_fragments = ui_strings()
    parser = VisibleText()
    parser.feed(html)
    own = own_strings(parser.page_lang)
    found = []
    for text in parser.texts:
        if text in own:
            continue
        if text in english_whole:
            found.append(f"en: {text}")
        elif text in russian_whole:
            found.append(f"ru: {text}")
        else:
            found.extend(f"en: {text}" for f in english_fragments if f in text)
            found.extend(f"ru: {text}" for f in russian_fragments if f in text)
    return sorted(set(found))


# --- the crawl ------------------------------------------------------------------------------------

def crawl(app, world, locale: str) -> tuple[int, dict[str, list[str]]]:
    """(pages read, {route: leaks}) of every HTML GET page, each read by someone allowed, in `locale`."""
    visits = []
    for route in inventory(app):
        if route.method != "GET" or any(part in route.rule.rule for part in NOT_HTML):
            continue
        target = builders.build(route.access.fixture, world)
        visits.append((route, target, _allowed_user(route, target, world)))
    from app.accounts.models import User
    db.session.execute(db.update(User).values(locale=locale))
    db.session.commit()
    found, pages, clients = {}, 0, {}
    for route, target, user in visits:
        key = user.id if user is not None else None
        if key not in clients:
            clients[key] = app.test_client()
            if user is not None:
                sign_in(clients[key], user)
        response = clients[key].get(route.url(target.values), headers={"Accept-Language": locale})
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        pages += 1
        html = response.get_data(as_text=True)
        assert f'<html lang="{locale}">' in html, route.id
        page_leaks = leaks(html)
        if page_leaks:
            found[route.id] = page_leaks
    return pages, found


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{route}: " + "; ".join(words[:8]) + (" …" if len(words) > 8 else "")
                     for route, words in sorted(found.items()))


@pytest.mark.parametrize("locale", NEW_LOCALES)
def test_no_english_or_russian_ui_words(app, world, locale):
    pages, found = crawl(app, world, locale)
    assert pages >= 25
    assert found == {}, f"{len(found)} of {pages} pages show English or Russian UI words in {locale}:\n" + \
        _report(found)


# --- the proof: a complete (pseudo) catalog passes, the empty one does not ----------------------------

ACCENTS = str.maketrans("aeiouyAEIOUYcnsz", "áéíóúýÁÉÍÓÚÝčńšž")


def pseudo(text: str) -> str:
    """`text` with its letters accented outside placeholders and markup: the same length and shape,
    read by no one as the English it came from."""
    kept = re.compile(f"{PLACEHOLDER.pattern}|<[^>]*>|&\\w+;")
    out, position = [], 0
    for match in kept.finditer(text):
        out += [text[position:match.start()].translate(ACCENTS), match.group(0)]
        position = match.end()
    return "".join(out) + text[position:].translate(ACCENTS)


def pseudo_catalogs(directory: Path) -> str:
    """Every area's catalog in bg, pl and lt with every msgid pseudo-translated, compiled under
    `directory`; the BABEL_TRANSLATION_DIRECTORIES value that serves them."""
    roots = []
    for area in I18N.AREAS:
        source = ROOT / "app" / area / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
        if not source.exists():
            continue
        with source.open("rb") as handle:
            russian = read_po(handle)
        for locale in NEW_LOCALES:
            catalog = Catalog(locale=locale)
            for message in russian:
                if not message.id:
                    continue
                if isinstance(message.id, (list, tuple)):
                    forms = [pseudo(message.id[0])] + [pseudo(message.id[1])] * (catalog.num_plurals - 1)
                    catalog.add(message.id, forms, flags=message.flags, context=message.context)
                else:
                    catalog.add(message.id, pseudo(message.id), flags=message.flags, context=message.context)
            target = directory / area / locale / "LC_MESSAGES"
            target.mkdir(parents=True)
            with (target / "messages.mo").open("wb") as handle:
                write_mo(handle, catalog)
        roots.append(str(directory / area))
    return ";".join(roots)


def test_pseudo_translation_keeps_placeholders_and_markup():
    assert pseudo('Hello, %(name)s <a href="/x">here</a> {n}') == 'Hélló, %(name)s <a href="/x">héré</a> {n}'
    assert leaks('<html lang="pl"><body><h1>Log in</h1><p lang="ru">Войти</p></body></html>') == ["en: Log in"]


def test_the_crawl_finds_untranslated_words_and_passes_a_complete_pseudo_catalog(app, world):
    login = app.test_client().get("/auth/login", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert pseudo("Log in") in login and "Log in" not in login  # the pseudo catalog is the one served
    pages, found = crawl(app, world, "pl")
    assert pages >= 25
    assert found == {}, "strings that do not go through the catalogs:\n" + _report(found)


# --- done when (issue 23) ------------------------------------------------------------------------------

def _translated(locale: str, msgid: str, **values) -> str:
    from flask_babel import gettext

    with force_locale(locale):
        text = gettext(msgid, **values)
    assert text != msgid % values if values else text != msgid, f"{msgid!r} has no {locale} translation"
    return text


def _read(client, url: str, locale: str) -> str:
    response = client.get(url, headers={"Accept-Language": locale})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    html = response.get_data(as_text=True)
    assert f'<html lang="{locale}">' in html, url
    return html


# Each also runs once on the complete pseudo catalogs ("pseudo" in its id), which proves it passes
# with complete catalogs; the plain ids wait for the translators' work.
@pytest.mark.parametrize("locale", [*NEW_LOCALES, pytest.param("lt", id="pseudo-lt")])
def test_a_visitor_reads_the_main_pages_in_their_language(app, locale):
    """Sign-in, sign-up, the event list, an event page, /me, the consultation form and the verify page."""
    from app.accounts.models import User

    setup = builders.quota_setup()
    certificate = builders.certificate_setup().certificate
    db.session.execute(db.update(User).values(locale=locale))
    db.session.commit()
    visitor, trainee = app.test_client(), app.test_client()
    sign_in(trainee, setup.trainee)
    pages = {url: _read(visitor, url, locale) for url in (
        "/auth/login", "/auth/register", "/events", f"/events/{setup.event.id}", f"/verify/{certificate.serial}")}
    pages.update({url: _read(trainee, url, locale) for url in (
        "/me", f"/quotas/{setup.quota.id}/consultations/new")})
    found = {url: leaks(html) for url, html in pages.items() if leaks(html)}
    assert found == {}, _report(found)
    assert _translated(locale, "Log in") in pages["/auth/login"]


@pytest.mark.parametrize("catalogs", ["real", "pseudo"])
def test_a_bulgarian_facilitator_records_a_meeting_in_bulgarian(app, catalogs):
    target = builders.build("held_group_meeting", None)
    facilitator = target.owner
    facilitator.locale = "bg"
    db.session.commit()
    client = app.test_client()
    sign_in(client, facilitator)
    url = f"/manage/events/{target.values['event_id']}/meetings/{target.values['session_id']}"
    form = _read(client, url, "bg")
    assert leaks(form) == []
    response = client.post(f"{url}/outcome", data={"guests": "2", "outcome": "Обсъдихме достъпа до личен лекар."},
                           headers={"Accept-Language": "bg"}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert str(escape(_translated("bg", "The meeting's outcome is saved."))) in page
    assert leaks(page) == []


@pytest.mark.parametrize("catalogs", ["real", "pseudo"])
def test_a_polish_trainees_certificate_and_mails_are_in_polish(app, mail_outbox, catalogs):
    import shutil
    import subprocess

    from app.accounts.models import User
    from app.certificates import issuance
    from app.certificates.models import CertificateKind
    from app.registrations.models import Registration, RegistrationStatus

    title = "Szkoła liderów organizacji pacjentów"
    setup = builders.certificate_setup()
    event = setup.event
    event.language, event.title = "pl", title
    db.session.execute(db.update(User).values(locale="pl"))
    db.session.commit()
    trainee = make_user(locale="pl")
    db.session.add(Registration(event_id=event.id, user_id=trainee.id, status=RegistrationStatus.CONFIRMED,
                                region_code=trainee.region_code))
    db.session.commit()
    certificate = issuance.issue_one(event, trainee, CertificateKind.PARTICIPATION,
                                     setup.organiser, override_reason="done when")
    assert certificate.language == "pl"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=issuance.pdf_bytes(certificate), capture_output=True,
                              check=True).stdout.decode()
        assert "CERTYFIKAT" in text.upper() and "uczestnictwa" in text and title in " ".join(text.split())
    message = mail_outbox[-1]
    assert message["Content-Language"] == "pl"
    assert message["Subject"] == _translated("pl", "Your certificate: %(title)s", title=title)
    assert leaks(message.get_body(preferencelist=("html",)).get_content()) == []
