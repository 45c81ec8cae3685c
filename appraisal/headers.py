"""Security headers on every response: API, pages, static files, and the errors that
no handler answers (a `before_send` hook sees every response the app sends).

The Content-Security-Policy allows nothing inline: the pages take their styles from
/static/app.css and their one script (HTMX) from /static; charts are `data:` SVG
images. Frames of this site are refused, whoever would embed it.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# The API docs page (/schema: Redoc and Swagger UI, loaded from a CDN with inline
# scripts) cannot run under this policy. It is to be replaced by a page of our own;
# until then it goes without the CSP (still never framed: X-Frame-Options holds).
CSP_EXEMPT = "/schema"


async def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    path = scope.get("path", "")
    if not (path == CSP_EXEMPT or path.startswith(CSP_EXEMPT + "/")):
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
