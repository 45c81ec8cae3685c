"""The API reference at /schema: Redoc, served from /static like every other script.

Litestar's own pages load Redoc, Swagger UI and their fonts from CDNs (out of reach
where the service often runs, mainland China included) and start them with inline
scripts, which the Content-Security-Policy refuses (appraisal.headers). This page
takes the vendored copy (templates/static/redoc-2.5.4, with its licence) and starts
it from /static/api-docs.js with system fonts. Redoc writes its CSS into `<style>`
elements: they carry this response's nonce (read from its script element's
`data-style-nonce`), the one thing the policy allows this page beyond every other.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin, YamlRenderPlugin

from appraisal.headers import style_nonce

REDOC = "/static/redoc-2.5.4/redoc.standalone.js"


class ApiReference(OpenAPIRenderPlugin):
    """/schema (and /schema/redoc, Litestar's address for it): the OpenAPI document
    read by Redoc."""

    def __init__(self) -> None:
        super().__init__(path=["/", "/redoc"], favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec = escape(self.get_openapi_json_route(request))
        nonce = style_nonce(request.scope)
        return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/static/favicon.ico">
<link rel="stylesheet" href="/static/api-docs.css">
<script src="{REDOC}" data-style-nonce="{nonce}" defer></script>
<script src="/static/api-docs.js" defer></script>
</head>
<body>
<div id="api-reference" data-spec-url="{spec}"><noscript>The API reference needs JavaScript;
the OpenAPI document itself is at <a href="{spec}">{spec}</a>.</noscript></div>
</body>
</html>
""".encode()


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """The reference page, and the document as YAML (JSON comes with Litestar)."""
    return [ApiReference(), YamlRenderPlugin()]
