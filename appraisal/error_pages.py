"""Errors as pages: a visitor who opens a page they may not see, a page that does not
exist, or meets a conflict or an internal error gets a page in their language, with
the base layout, a plain explanation and a way back; never a problem document.

The status and what is logged stay the API's decision (`appraisal.errors`): each
handler here asks the API's handler for the answer it would give, and shows it as a
page. Page routes always answer so (a session that has run out still goes to the
login: `appraisal.web.to_login`); elsewhere outside /api/, a browser that asks for
HTML does (an unknown address, a method a page does not take).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Stream

from appraisal.accounts.auth import SESSION_COOKIE, actor_for_token
from appraisal.errors import EXCEPTION_HANDLERS, Message
from appraisal.web import language, page

log = logging.getLogger("appraisal")
Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def _detail(exc: Exception, status: int, lang: str) -> str | None:
    """What the problem says, when it can be said in the page's language: a Message
    is translated (`appraisal.web.page`); other words (Litestar's own) are English,
    and its bare "Not Found" says no more than the page's heading."""
    detail = exc.detail if isinstance(exc, HTTPException) else None
    if isinstance(detail, Message) or (detail and lang == "en" and detail != HTTPStatus(status).phrase):
        return detail
    return None


def as_page(problem: Handler) -> Handler:
    """The API's handler `problem`, answering with the error page instead."""

    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        answer = problem(request, exc)  # the status, the headers (Retry-After, Allow), the log
        status = answer.status_code

        def render() -> Response[str]:
            return page(request, "error.html", status_code=status, status=status,
                        posted=request.method == "POST",
                        detail=_detail(exc, status, language(request)))

        try:
            response: Response[Any] = render()
        except Exception:  # the page itself failed: the plain answer still goes out
            log.exception("error page for %s failed", request.url.path)
            return answer
        token = request.cookies.get(SESSION_COOKIE)
        if request.scope.get("user") is None and token:
            response = _for_visitor(request, token, response, render)
        for name, value in answer.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                response.headers.setdefault(name, value)
        return response

    return handler


def _for_visitor(request: Request[Any, Any, Any], token: str, plain: Response[str],
                 render: Callable[[], Response[str]]) -> Response[Any]:
    """An address no route answers runs no authentication, yet the session cookie may
    name a logged-in visitor: the page keeps their menu and logout. Handlers are
    synchronous, so the session is looked up as the page is sent."""

    async def body() -> AsyncIterator[bytes]:
        try:
            actor = await actor_for_token(token)
            if actor is not None:
                request.scope["user"] = actor
                yield str(render().content).encode()
                return
        except Exception:  # the page without the menu still goes out
            log.exception("error page for %s: looking up the session failed", request.url.path)
        yield str(plain.content).encode()

    return Stream(body(), status_code=plain.status_code, media_type=MediaType.HTML,
                  headers=dict(plain.headers), cookies=plain.cookies)


def _wants_a_page(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return False  # the API answers problem documents, whoever asks
    if request.headers.get("hx-request") == "true":
        return True  # HTMX swaps the answer into the page
    return request.accept.best_match([MediaType.JSON, MediaType.HTML]) == MediaType.HTML


def negotiated(problem: Handler) -> Handler:
    """Outside the page routes: the page for a browser asking for HTML, else the API's
    problem document."""
    shown = as_page(problem)

    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return shown(request, exc) if _wants_a_page(request) else problem(request, exc)

    return handler


# The page routes' handlers, and the application's (what no router answers).
PAGE_ERROR_HANDLERS: dict[type[Exception] | int, Any] = {
    kind: as_page(h) for kind, h in EXCEPTION_HANDLERS.items()}
APP_ERROR_HANDLERS: dict[type[Exception] | int, Any] = {
    kind: negotiated(h) for kind, h in EXCEPTION_HANDLERS.items()}
