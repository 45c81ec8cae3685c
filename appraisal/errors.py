"""Problem details (RFC 9457) for every error the API returns."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from tortoise.exceptions import IntegrityError, OperationalError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("appraisal")


class Problem(HTTPException):
    """An error with a status, a detail a person can act on and optional field errors."""

    status_code = 400

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=detail, headers=headers)
        self.errors = errors


class NotFound(Problem):
    status_code = 404


class NotAuthorized(Problem):
    status_code = 401


class Forbidden(Problem):
    status_code = 403


class Conflict(Problem):
    status_code = 409


class Unprocessable(Problem):
    status_code = 422

    @classmethod
    def field(cls, field: str, message: str) -> Unprocessable:
        return cls(f"{field}: {message}", errors=[{"field": field, "message": message}])


class TooManyRequests(Problem):
    status_code = 429


_FIELD_IN_MESSAGE = re.compile(r"(?:missing required|contains unknown) field `([^`]+)`")


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "")
        if key == "data":  # litestar's name for the whole body
            key = ""
        # msgspec names nested paths like `$.items[0].code`; keep the readable part.
        message = str(item.get("message", "invalid value"))
        path = ""
        if " - at `$." in message:
            message, path = message.split(" - at `$.", 1)
            path = path.rstrip("`")
        if m := _FIELD_IN_MESSAGE.search(message):
            path = f"{path}.{m.group(1)}" if path else m.group(1)
        field = key if key and not path else path or key or "body"
        errors.append({"field": field, "message": message, "source": item.get("source", "body")})
    return errors


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def handle_http_exception(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        if errors:
            first = errors[0]
            detail = f"Invalid request: {first['field']}: {first['message']}"
        else:
            detail = exc.detail or "Invalid request"
        return problem_response(request, 422, detail, errors)
    errors = exc.errors if isinstance(exc, Problem) else None
    status = exc.status_code
    detail = exc.detail or HTTPStatus(status).phrase
    return problem_response(request, status, detail, errors, exc.headers)


def handle_integrity_error(
    request: Request[Any, Any, Any], exc: IntegrityError
) -> Response[dict[str, Any]]:
    # Services check uniqueness first; this is the safety net for races.
    log.info("integrity error on %s: %s", request.url.path, exc)
    return problem_response(
        request, 409, "The change conflicts with existing data (a unique value is already used)."
    )


def handle_operational_error(
    request: Request[Any, Any, Any], exc: OperationalError
) -> Response[dict[str, Any]]:
    # PostgreSQL refuses NUL characters in text; the transaction was rolled back.
    if "0x00" in str(exc):
        return problem_response(
            request, 422, "Text must not contain NUL (\\u0000) characters.",
            [{"field": "body", "message": "NUL character in a text field"}])
    return handle_unexpected(request, exc)


def handle_too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[dict[str, Any]]:
    # A body of 100,000 nested "[" exhausts the JSON decoder's recursion: bad input, not ours.
    return problem_response(request, 400, "The request body is nested too deeply to read.",
                            [{"field": "body", "message": "nested too deeply"}])


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "Internal error; the request was not applied.")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    HTTPException: handle_http_exception,
    IntegrityError: handle_integrity_error,
    OperationalError: handle_operational_error,
    RecursionError: handle_too_deep,
    Exception: handle_unexpected,
}


# ---------------------------------------------------------------- documentation


class ProblemError(msgspec.Struct):
    """One thing wrong with the request: a field (validation) or a row and column (imports)."""

    message: str
    field: str | msgspec.UnsetType = msgspec.UNSET
    source: str | msgspec.UnsetType = msgspec.UNSET
    row: int | msgspec.UnsetType | None = msgspec.UNSET
    column: str | msgspec.UnsetType | None = msgspec.UNSET


class ProblemOut(msgspec.Struct):
    """An error response (RFC 9457), as `problem_response` writes it."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemError] | msgspec.UnsetType = msgspec.UNSET


# Litestar declares a 400 `application/json` body of its own (`status_code`,
# `detail`, `extra`) that this API never sends: every client error, whatever
# its status, is a problem document. The range key "4XX" is OpenAPI's; Litestar
# writes response keys with str(), so it passes through as it is.
PROBLEM_RESPONSES: dict[Any, ResponseSpec] = {
    400: ResponseSpec(ProblemOut, media_type=PROBLEM_JSON, generate_examples=False,
                      description="The request could not be read"),
    "4XX": ResponseSpec(ProblemOut, media_type=PROBLEM_JSON, generate_examples=False,
                        description="Refused: not logged in (401), not allowed (403), not found "
                                    "(404), a conflict with the data (409), invalid (422, each "
                                    "bad field in `errors`), too many attempts (429)"),
}


class ProblemResponses(ReceiveRoutePlugin):
    """Documents on every API operation that its client errors are problem details."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            return
        for handler in route.route_handlers:
            handler.responses = {**PROBLEM_RESPONSES, **(handler.responses or {})}
