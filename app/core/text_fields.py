"""Reading a free-text field from a service's input dict, the same way in every area whose services
take plain dicts (programmes, indicators): stripped, required or not, refused beyond a length."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.errors import FieldErrors

TEXT_MAX = 20000


def text_field(data: dict, key: str, errors: FieldErrors, *, required=False, max_length=TEXT_MAX) -> str:
    value = (data.get(key) or "").strip()
    if required and not value:
        errors.add(key, _l("This field is required."))
    elif len(value) > max_length:
        errors.add(key, lazy_ngettext("At most %(num)d character.", "At most %(num)d characters.", max_length))
    return value
