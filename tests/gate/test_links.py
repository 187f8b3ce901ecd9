"""No dead ends: every same-site link on a page a role may open leads to a page that role may open.

For each GET page of the route table (not the API, not token URLs), the objects are built as the
matrix builds them, and the page is opened by every persona the table lets in (tests/gate/routes.py:
expected). Each `<a href>` on it that stays on the site is then requested as that same persona; a
404, 403 or 500 fails with "page → link → status". A self-help group's facilitator, who is no persona
of the matrix, crawls the pages of the group they lead. Answers are cached per (persona, URL).
"""
import time
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from tests.factories import make_user
from tests.gate import builders
from tests.gate.routes import FIGURES, OK, PERSONAS, expected, inventory, sign_in

DEAD = {403, 404, 500}
SKIPPED_PREFIXES = ("/static/", "/bootstrap/", "/auth/logout")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def same_site_links(html: str, page_url: str) -> set[str]:
    """The page's <a href>s that stay on the site: no static files, logout, anchors, mailto/tel or other hosts."""
    parser = _Links()
    parser.feed(html)
    links = set()
    for href in parser.hrefs:
        href = urldefrag(href.strip())[0]
        parts = urlsplit(href)
        if not href or parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "localhost"):
            continue
        path = parts.path if parts.path.startswith("/") else None
        if path is None or path.startswith(SKIPPED_PREFIXES):
            continue
        links.add(path + (f"?{parts.query}" if parts.query else ""))
    return links


class Crawler:
    """One test client per user; every answer cached by (user, URL)."""

    def __init__(self, app):
        self.app = app
        self.clients: dict = {}
        self.answers: dict = {}
        self.dead: list[str] = []
        self.pages = 0

    def _client(self, user):
        key = None if user is None else user.id
        if key not in self.clients:
            self.clients[key] = self.app.test_client()
            if user is not None:
                sign_in(self.clients[key], user)
        return self.clients[key]

    def status(self, user, url: str) -> tuple[int, str]:
        key = (None if user is None else user.id, url)
        if key not in self.answers:
            response = self._client(user).get(url)
            body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            self.answers[key] = (response.status_code, body)
        return self.answers[key]

    def check_page(self, who: str, user, url: str) -> None:
        status, body = self.status(user, url)
        if status != 200 or not body:
            return
        self.pages += 1
        for link in sorted(same_site_links(body, url)):
            link_status, _ = self.status(user, link)
            if link_status in DEAD:
                self.dead.append(f"{who}: {url} → {link} → {link_status}")


def _facilitator_pages(crawler) -> None:
    """The group's facilitator opens the pages of the group they lead and follows their links."""
    from datetime import timedelta

    from app import clock
    from app.events import services as events

    facilitator = make_user(full_name="Мила Медиатор")
    start = clock.now() - timedelta(days=3)
    organiser, event = builders.programme_event(
        kind="self_help_group", start=start, timezone="Europe/Sofia", venue="Читалище",
        group={"community": "Малко Търново", "membership": "open", "facilitator_id": facilitator.id})
    first = start.astimezone(event.tz)
    events.create_meetings(event, organiser, {
        "frequency": "weekly", "every": 1, "weekdays": [first.weekday()], "starts_on": first.date(), "count": 2,
        "start_time": first.time(), "duration_minutes": 90})
    event = events.get_event(event.id)
    session = event.sessions[0]
    for url in ("/me", f"/events/{event.id}", f"/manage/events/{event.id}/participants",
                f"/manage/events/{event.id}/approvals",
                f"/manage/events/{event.id}/sessions/{session.id}/check-in",
                f"/manage/events/{event.id}/meetings/{session.id}"):
        crawler.check_page("facilitator", facilitator, url)


def test_no_link_leads_a_role_to_a_dead_end(app, world):
    began = time.monotonic()
    crawler = Crawler(app)
    targets: dict = {}  # GET writes nothing, so routes naming the same kind of object share one
    for route in inventory(app):
        if route.method != "GET" or route.is_api or route.url_token or route.access is None \
                or route.rule.rule.startswith(SKIPPED_PREFIXES):
            continue
        if route.access.fixture not in targets:
            targets[route.access.fixture] = builders.build(route.access.fixture, world)
        target = targets[route.access.fixture]
        url = route.url(target.values)
        for persona in PERSONAS:
            if persona == "owner" and target.owner is None:
                continue
            user = world.user(persona, owner=target.owner)
            if expected(route, persona, user, target.owner) != OK:
                continue
            crawler.check_page(persona, user, url)
    _facilitator_pages(crawler)
    FIGURES["links: pages crawled"] = crawler.pages
    FIGURES["links: requests (cached per persona and URL)"] = len(crawler.answers)
    FIGURES["links: seconds"] = round(time.monotonic() - began, 1)
    assert not crawler.dead, "dead links:\n  " + "\n  ".join(crawler.dead)


def test_the_crawler_reads_only_same_site_links():
    html = ('<a href="/events/1">a</a><a href="https://example.org/x">b</a><a href="mailto:x@y.z">c</a>'
            '<a href="#main">d</a><a href="/static/css/x.css">e</a><a href="/quotas?x=1#top">f</a>'
            '<a href="http://localhost/me">g</a>')
    assert same_site_links(html, "/") == {"/events/1", "/quotas?x=1", "/me"}
