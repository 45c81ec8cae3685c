"""Security headers on every response: API, pages, static files, and the errors that
no handler answers (a `before_send` hook sees every response the app sends).

The Content-Security-Policy allows nothing inline: the pages take their styles from
/static/app.css and their one script (HTMX) from /static; charts are `data:` SVG
images. Frames of this site are refused, whoever would embed it. Nothing is loaded
from another site. One page, the API reference (appraisal.api_docs), needs `<style>`
elements of its own (Redoc writes its CSS so): that response, and only it, names a
nonce those elements carry (`style_nonce`).

Which responses go gzipped (`TextCompression`): text only.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Scope, Send


def content_security_policy(nonce: str | None = None) -> str:
    """The policy; `nonce` lets the response's `<style nonce=…>` elements apply too."""
    styles = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {styles}",
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
_STYLE_NONCE = "appraisal.style_nonce"  # the request's scope key


def style_nonce(scope: Any) -> str:
    """A fresh nonce that lets this response's own `<style nonce=…>` elements apply."""
    return scope.setdefault(_STYLE_NONCE, secrets.token_urlsafe(18))  # type: ignore[no-any-return]


async def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy", content_security_policy(scope.get(_STYLE_NONCE)))


# What gzip shrinks: text (pages, CSS, JS, JSON, CSV, SVG). PDFs, ZIPs, JPEG photos and
# XLSX files are compressed already: gzip would cost CPU for nothing and take away
# their Content-Length (a download's progress). A partial (206) or already encoded
# body passes untouched, its byte ranges those of the file.
_COMPRESSIBLE = re.compile(r"^(text/|application/([\w.+-]+\+)?(json|javascript|xml)\b|image/svg\+xml)")


def compressible(message: Message) -> bool:
    headers = MutableScopeHeaders.from_message(message)
    return (message.get("status") != 206 and "content-encoding" not in headers
            and bool(_COMPRESSIBLE.match(headers.get("content-type", ""))))


class TextCompression(CompressionMiddleware):
    """Litestar's gzip, for the responses `compressible` names; the others as they are."""

    def create_compression_send_wrapper(self, send: Send, compression_encoding: Any,
                                        scope: Scope) -> Send:
        compressing = super().create_compression_send_wrapper(send, compression_encoding, scope)
        chosen: Send = send

        async def choose(message: Message) -> None:
            nonlocal chosen
            if message["type"] == "http.response.start":
                chosen = compressing if compressible(message) else send
            await chosen(message)

        return choose
