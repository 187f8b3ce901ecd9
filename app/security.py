"""Security headers on every response (CSP without inline script); trusted reverse proxies; the one
check of a `next` address a visitor may be sent on to."""
import re
from urllib.parse import unquote, urlsplit

from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.urls import iri_to_uri

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HSTS = "max-age=31536000; includeSubDomains"

# What a browser's URL parser drops before reading an address (WHATWG URL: leading and trailing C0
# controls and spaces, every tab and newline anywhere), and what is left that no local path holds.
_EDGE_JUNK = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _is_local_path(target: str) -> bool:
    parts = urlsplit(target)
    return (target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc
            and not _CONTROL.search(target))


def safe_next(target: str | None, default: str | None) -> str | None:
    """`target` as a path on this site, or `default`. Read as a browser reads it first (control
    characters and outer spaces dropped, a backslash taken for a slash), so "/\\t/evil.example" and
    "/\\\\evil.example" are seen as the "//evil.example" they become; percent-decoded, it must still be
    a local path. Every door that takes a `next` address asks here."""
    if not target:
        return default
    cleaned = _TAB_OR_NEWLINE.sub("", target.strip(_EDGE_JUNK)).replace("\\", "/")
    if not (_is_local_path(cleaned) and _is_local_path(unquote(cleaned).replace("\\", "/"))):
        return default
    return iri_to_uri(cleaned)


def init_app(app) -> None:
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    https = str(app.config.get("BASE_URL", "")).startswith("https://")

    @app.after_request
    def set_security_headers(response):
        if https:  # browsers then refuse plain HTTP to this host for a year
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        return response
