"""What the materials part of the event page shows, decided and loaded here so templates hold no rules.

The event page (events area, below this one) asks through `event_page_wanted`; the answer is
templates/materials/_event_materials.html with `shown` (event_materials): the materials the viewer
may see, the event's own first, then each session's.
"""
from dataclasses import dataclass, field

from flask import url_for

from app import clock, permissions
from app.core.sections import Section
from app.events.signals import event_page_wanted
from app.materials import services
from app.materials.models import Material


@dataclass
class MaterialGroup:
    session: object | None
    materials: list[Material] = field(default_factory=list)


@dataclass
class EventMaterials:
    groups: list[MaterialGroup]
    manage_url: str | None = None

    def __bool__(self) -> bool:
        return any(group.materials for group in self.groups)


def grouped(materials: list[Material], event) -> list[MaterialGroup]:
    """The event's own materials, then each session's in the session order; empty groups left out."""
    groups = [MaterialGroup(None)] + [MaterialGroup(session) for session in event.sessions]
    by_session = {group.session.id: group for group in groups[1:]}
    for material in materials:
        by_session.get(material.session_id, groups[0]).materials.append(material)
    return [group for group in groups if group.materials]


def event_materials(event) -> EventMaterials:
    visible = [m for m in services.materials_of(event) if permissions.can("material.view", m)]
    manage_url = url_for("materials.manage", event_id=event.id) if permissions.can("event.materials", event) else None
    return EventMaterials(grouped(visible, event), manage_url)


@event_page_wanted.connect
def _event_page_materials(event) -> Section | None:
    shown = event_materials(event)
    return Section("materials/_event_materials.html", {"event": event, "shown": shown}, slot="materials") \
        if shown else None


def material_href(material: Material) -> str:
    if material.is_file:
        return url_for("materials.download", event_id=material.event_id, material_id=material.id)
    return material.url


def held_back(material: Material) -> bool:
    """Shown to organisers before the event ends: a link the public sees only afterwards."""
    return not material.released(clock.now())


def init_app(app) -> None:
    app.jinja_env.globals.update(material_href=material_href,
                                 material_held_back=held_back, material_size=services.size_text,
                                 material_type=services.type_label)
