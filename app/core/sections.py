"""Parts of a page that areas above it contribute (Indico's template hooks), loaded by the page's route.

A page of a lower area (/me in accounts, the event page in events) asks through one of its signals;
each area above answers with a Section: the template of its part and the data that template shows,
loaded while the route runs. So a route says what its page loads, and templates pull no data.
"""
from dataclasses import dataclass, field

from flask import render_template
from markupsafe import Markup


@dataclass(frozen=True)
class Section:
    """`slot` names the place on a page with several (the event page: "registration", "materials")."""

    template: str
    data: dict = field(default_factory=dict)
    order: int = 0
    slot: str = ""

    def render(self) -> Markup:
        return Markup(render_template(self.template, **self.data))


def collect(signal, sender, **kwargs) -> list[Section]:
    """The sections the receivers of `signal` answer with (None: nothing to show), in their order."""
    return sorted((section for _receiver, section in signal.send(sender, **kwargs) if section is not None),
                  key=lambda section: section.order)
