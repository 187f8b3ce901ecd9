"""Every HTML page of the route table fits a phone: in headless Chromium at 390 × 844 (an iPhone 12-14),
signed in as each persona that may open it, the document is no wider than the screen
(`document.documentElement.scrollWidth <= 390`). A wide table scrolls inside its own box or turns
into stacked rows; it never pushes the page sideways.

One browser and one context per user; the pages are those of the accessibility gate
(tests/gate/test_a11y_browser.py), so a page added to the route table is checked by both.
"""
import time

import pytest

from app.accounts.models import Role
from tests.factories import make_user
from tests.gate import builders
from tests.gate.conftest import World
from tests.gate.routes import FIGURES, OK, expected, personas_for
from tests.gate.test_a11y_browser import _html_pages, _sign_in_context

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDTH = "() => document.documentElement.scrollWidth"
# The elements sticking out past the right edge of the screen (the culprits named in a failure).
WIDE = """(limit) => {
  const placed = (el) => ['absolute', 'fixed'].includes(getComputedStyle(el).position);
  const clipped = (el) => {  // inside a box that scrolls or clips: harmless, unless placed against the page
    if (placed(el)) {  // positioned against its containing block, not its parent
      const block = el.offsetParent;
      if (!block || block === document.body) return false;
      return getComputedStyle(block).overflowX !== 'visible' || clipped(block);
    }
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && box.width > 0 && !clipped(el)) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (!parent || parent.right <= limit + 1 || placed(el)) {
        out.push(`${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} → ${Math.round(box.right)} px`);
      }
    }
  }
  return out.slice(0, 5);
}"""


def _visits(app):
    """(email or None, persona, url, route id) for every HTML page × every persona allowed to open it;
    list pages get a few rows from their grower (tests/gate/builders.py)."""
    with app.app_context():
        world = World(trainee=make_user(), curator=make_user(roles=(Role.CURATOR,)),
                      other_organiser=make_user(roles=(Role.ORGANISER,)), admin=make_user(roles=(Role.ADMIN,)))
        visits = []
        for route in _html_pages(app):
            target = builders.build(route.access.fixture, world)
            if route.access.lists:  # a list page with rows in it: a wide row is what stretches a page
                builders.GROWERS[route.access.lists](world, target, 3)
            seen = set()
            for persona in personas_for(route):
                user = world.user(persona, owner=target.owner)
                email = user.email if user else None
                if email in seen or expected(route, persona, user, target.owner) != OK:
                    continue
                seen.add(email)
                values = target.values
                visits.append((email, persona, route.url(values), route.id))
    return visits


def test_every_page_fits_a_phone(live_server, browser):
    started = time.monotonic()
    visits = _visits(live_server.app)
    built = time.monotonic() - started
    failures, checked = [], 0
    for email in sorted({v[0] for v in visits}, key=lambda e: e or ""):
        context = browser.new_context(locale="ru-RU", viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(15_000)
        if email:
            _sign_in_context(context, live_server, email)
        page = context.new_page()
        for _email, persona, url, route_id in [v for v in visits if v[0] == email]:
            response = page.goto(live_server + url, wait_until="domcontentloaded")  # after the stylesheets
            assert response.status == 200, f"{route_id} as {persona}: {response.status}"
            checked += 1
            width = page.evaluate(WIDTH)
            if width > PHONE["width"]:
                culprits = "; ".join(page.evaluate(WIDE, PHONE["width"]))
                failures.append(f"{route_id} as {persona} ({url}): {width} px — {culprits}")
        context.close()
    FIGURES["phone width: pages × personas"] = f"{checked} ({len({v[3] for v in visits})} pages) " \
                                              f"in {time.monotonic() - started:.0f} s ({built:.0f} s building them)"
    print(f"\nphone width: {checked} pages × personas checked at 390 px")
    assert checked >= 60
    assert not failures, f"{len(failures)} of {checked} pages wider than a phone:\n" + "\n".join(failures)
