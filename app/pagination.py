"""One rule for page numbers, owned by the services whatever door the number came in by (HTML
listing, API, administrators' lists): page 1 always exists; any other page exists only if it has
items. A bigger number is a 404, never an OFFSET the database cannot hold."""
from app.errors import NotFound


def checked_page(page, per_page: int, total: int) -> int:
    """The page number to show, or NotFound when `page` lies past the last page."""
    try:
        page = int(page or 1)
    except (TypeError, ValueError) as error:
        raise NotFound() from error
    if page < 1 or (page > 1 and (page - 1) * per_page >= total):
        raise NotFound()
    return page
