"""/api/v1/events: the public listing and event for NGO sites, and organisers' writes by token."""
from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import cache, clock
from app.api import common
from app.api.schemas import (
    EventInSchema,
    EventListQuerySchema,
    EventOutSchema,
    EventPageSchema,
    EventPatchSchema,
)
from app.events import services as events
from app.events.models import Event
from app.extensions import db

bp = Blueprint("api_events", __name__, url_prefix="/api/v1/events",
               description="Events of patient NGOs and health volunteers: seminars, webinars, round tables, "
                           "outreach trips, self-help groups.")
common.init_blueprint(bp)


def event_out(event, seats_left: int | None, *, with_secret: bool) -> dict:
    """The contract's event JSON plus id, sequence, url; the join link only `with_secret`."""
    data = events.event_as_data(event)
    if not with_secret:
        data.pop("online_url", None)
    data.update({
        "id": event.id,
        "sequence": event.sequence,
        "url": f"{current_app.config['BASE_URL']}/events/{event.id}",
        "seats_left": seats_left,
        "results": [{"service": r.service.value, "people_served": r.people_served} for r in event.results],
        "meetings": [{"id": s.id, "sequence": event.sequence + (s.sequence or 0), "cancelled": s.is_cancelled,
                      "guests": s.guests, "outcome": s.outcome} for s in event.sessions],
    })
    return data


def _preload(items: list) -> None:
    """Sessions, team roles, results and group details of a page of events in four queries, not four per event."""
    if items:
        db.session.execute(
            select(Event).where(Event.id.in_([e.id for e in items]))
            .options(selectinload(Event.sessions), selectinload(Event.team_roles), selectinload(Event.results),
                     selectinload(Event.group))
        ).scalars().all()


def _single(event, user) -> dict:
    return event_out(event, events.seats_left([event])[event.id],
                     with_secret=common.can("event.edit", event, user))


@bp.route("")
class Events(MethodView):
    @bp.arguments(EventListQuerySchema, location="query", as_kwargs=True)
    @bp.response(200, EventPageSchema)
    @common.error_responses(bp, 401, 422)
    def get(self, page: int, per_page: int, **filters):
        """Published events, upcoming by default (`tab=past` for held ones); the /events filters.

        Public: no token needed. The join link (`online_url`) is never included here.
        """
        common.token_user(required=False)
        return _listing_response(page, per_page, filters)

    @common.allowed_before_body("event.create")
    @bp.arguments(EventInSchema)
    @bp.response(201, EventOutSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 400, 401, 403, 422)
    def post(self, data: dict):
        """Create an event with its sessions (organiser or admin token)."""
        user = common.token_user(required=True)
        event = events.create_event(user, data)
        return _single(events.get_event(event.id), user)


@bp.route("/<int:event_id>")
class EventById(MethodView):
    @bp.response(200, EventOutSchema)
    @common.error_responses(bp, 401, 404)
    def get(self, event_id: int):
        """One event. Drafts only for editors; `online_url` only for editors (token)."""
        user = common.token_user(required=False)
        event = events.get_event(event_id)
        if event is None or not common.can("event.view", event, user):
            raise common.ApiError(404)
        return _single(event, user)

    @bp.arguments(EventPatchSchema(partial=True))
    @bp.response(200, EventOutSchema)
    @bp.doc(security=common.BEARER)
    @common.error_responses(bp, 400, 401, 403, 404, 409, 422)
    def patch(self, data: dict, event_id: int):
        """Change the fields sent; a change of time (sessions), place or status bumps `sequence`."""
        user = common.token_user(required=True)
        event = common.require_visible_then_allowed("event.view", "event.edit", events.get_event(event_id), user)
        events.update_event(event, user, data)
        return _single(events.get_event(event_id), user)


def _listing_response(page: int, per_page: int, filters: dict) -> Response:
    """The listing's JSON, from the cache shared with every worker when it is still current.

    The same path as the /events page: the slot is the parameters, the version is the listing's
    data version and the minute (events.listing_version(), which any event or registration change
    moves), so a hit costs the version's queries only, and a miss a fixed number of queries
    whatever the page size. The body does not depend on the caller (the join link is never in it).
    """
    slot = ("api.events", page, per_page, tuple(sorted((k, str(v)) for k, v in filters.items() if v is not None)))
    version = (events.listing_version(), clock.now().replace(second=0, microsecond=0))
    body = cache.pages.get(slot, version)
    if body is None:
        listing = events.list_events(events.parse_filters(_filter_args(filters)), page, per_page)
        _preload(listing.items)
        body = current_app.json.response(EventPageSchema().dump({
            "items": [event_out(e, listing.seats_left.get(e.id), with_secret=False) for e in listing.items],
            "total": listing.total, "page": listing.page, "per_page": listing.per_page, "pages": listing.pages,
        })).get_data()
        cache.pages.put(slot, version, body)
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


def _filter_args(filters: dict) -> dict:
    """Schema attribute names → the /events GET parameter names parse_filters reads."""
    args = {k: v for k, v in filters.items() if k not in ("date_from", "date_to")}
    args["from"] = filters.get("date_from")
    args["to"] = filters.get("date_to")
    return args
