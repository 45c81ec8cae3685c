"""Problem details (RFC 9457) for every error the API returns.

Every problem, and every entry of its `errors`, is a `Message`: a stable
snake_case `code`, an English template and the values (`params`) that fill it.
The API sends the English text (`detail`, `message`) with `code` and `params`,
so that a client can show its own words; the pages translate the template (its
msgid in appraisal/locale/zh.po) with the same values (appraisal.web).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from http import HTTPStatus
from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from tortoise.exceptions import IntegrityError, OperationalError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("appraisal")


def _same(text: str) -> str:
    return text


def _as_is(key: str, value: Any) -> Any:
    return value


def _fill(template: str, values: Mapping[str, Any]) -> str:
    if not values:
        return template  # nothing to fill: a lone "%" is just a percent sign
    try:
        return template % values
    except (KeyError, ValueError, TypeError):  # a broken translation never breaks a page
        return template


class Message(str):
    """A text for people: its English, with the `code`, `template` and `params` it
    was made from. A str, so that it reads and compares as its English text."""

    code: str
    template: str
    params: dict[str, Any]

    def __new__(cls, code: str, template: str, **params: Any) -> Message:
        english = _fill(template, {k: str(v) if isinstance(v, Message) else v
                                   for k, v in params.items()})
        message = super().__new__(cls, english)
        message.code, message.template, message.params = code, template, params
        return message

    def __reduce__(self) -> tuple[Any, ...]:
        return _message, (self.code, self.template, self.params)

    def render(self, translate: Callable[[str], str] = _same,
               shown: Callable[[str, Any], Any] = _as_is) -> str:
        """The text in another language: `translate` gives a template's translation,
        `shown(name, value)` a value as people read it (a code named after its kind,
        `field` or `period_status`, by its label); nested messages are rendered alike."""
        values = {k: v.render(translate, shown) if isinstance(v, Message) else shown(k, v)
                  for k, v in self.params.items()}
        return _fill(translate(self.template), values)

    def wire_params(self) -> dict[str, str | int | None]:
        """`params` as the API sends them: nested messages as their English text, with
        their own values beside it; numbers stay numbers, the rest are strings."""
        out: dict[str, str | int | None] = {}
        for key, value in self.params.items():
            if isinstance(value, Message):
                for inner, v in value.wire_params().items():
                    out.setdefault(inner, v)
                out[key] = str(value)
            elif value is None or (isinstance(value, int) and not isinstance(value, bool)):
                out[key] = value
            else:
                out[key] = str(value) if not isinstance(value, Decimal) else format(value, "f")
        return out


def _message(code: str, template: str, params: dict[str, Any]) -> Message:
    return Message(code, template, **params)


def field_message(field: str, message: str, *, code: str = "invalid_value",
                  **params: Any) -> Message:
    """"field: message" (the detail of a bad field), its message a Message of its own."""
    inner = message if isinstance(message, Message) else Message(code, message, **params)
    return Message(inner.code, "%(field)s: %(message)s", field=field, message=inner)


def as_message(text: str, code: str) -> Message:
    """A text written without a code (Litestar's, a library's) as a Message."""
    return text if isinstance(text, Message) else Message(code, text)


# The code of a problem raised without one, by its status.
STATUS_CODES = {400: "bad_request", 401: "not_authorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large",
                415: "unsupported_file", 422: "invalid_request", 429: "too_many_requests",
                500: "internal_error"}


def status_code_name(status: int) -> str:
    return STATUS_CODES.get(status, "error")


class Problem(HTTPException):
    """An error with a status, a detail a person can act on and optional field errors.

    `Problem("period %(month)s does not exist", code="period_not_found", month=m)`:
    the detail is the template filled with the values (write a literal % as %%). A
    value named after a kind of code (`field`, `period_status`, `severity`:
    appraisal.labels) is shown on the pages by its label.
    """

    status_code = 400

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        message = (detail if isinstance(detail, Message) and not code and not params
                   else Message(code or status_code_name(self.status_code), detail, **params))
        super().__init__(detail=message, headers=headers)
        self.message = message
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
    def field(cls, field: str, message: str, *, code: str = "invalid_value",
              **params: Any) -> Unprocessable:
        """A bad field: `errors` names it, with the message (a Message: code, params)."""
        detail = field_message(field, message, code=code, **params)
        return cls(detail, errors=[{"field": field, "message": detail.params["message"]}])


class PayloadTooLarge(Problem):
    status_code = 413


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
        # The validator's words stay English; a page says, in its language, which field.
        errors.append({"field": field, "message": Message("invalid_value", "%(reason)s",
                                                          reason=message),
                       "source": item.get("source", "body")})
    return errors


def _wire_error(entry: dict[str, Any]) -> dict[str, Any]:
    said = entry.get("message", "")
    message = as_message(said if isinstance(said, str) else str(said), "invalid_value")
    return {**entry, "message": str(message), "code": message.code,
            "params": message.wire_params()}


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    message = as_message(detail, status_code_name(status))
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(message),
        "code": message.code,
        "params": message.wire_params(),
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = [_wire_error(e) for e in errors]
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def validation_problem(exc: ValidationException) -> tuple[Message, list[dict[str, Any]]]:
    """Litestar's 422 (a body or parameter that does not fit its type): the detail
    names the first bad field; every bad field is listed."""
    errors = _validation_errors(exc)
    if errors:
        first = errors[0]
        return Message("invalid_request", "Invalid request: %(field)s: %(reason)s",
                       field=first["field"], reason=first["message"]), errors
    return Message("invalid_request", exc.detail or "Invalid request"), errors


def handle_http_exception(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    if isinstance(exc, ValidationException):
        detail, errors = validation_problem(exc)
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
        request, 409, Message("unique_value_used", "The change conflicts with existing data "
                              "(a unique value is already used).")
    )


def handle_operational_error(
    request: Request[Any, Any, Any], exc: OperationalError
) -> Response[dict[str, Any]]:
    # PostgreSQL refuses NUL characters in text; the transaction was rolled back.
    if "0x00" in str(exc):
        return problem_response(
            request, 422, Message("nul_character", "Text must not contain NUL (\\u0000) characters."),
            [{"field": "body", "message": Message("nul_character", "NUL character in a text field")}])
    return handle_unexpected(request, exc)


def handle_too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[dict[str, Any]]:
    # A body of 100,000 nested "[" exhausts the JSON decoder's recursion: bad input, not ours.
    return problem_response(
        request, 400, Message("nested_too_deeply", "The request body is nested too deeply to read."),
        [{"field": "body", "message": Message("nested_too_deeply", "nested too deeply")}])


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, Message("internal_error",
                                                  "Internal error; the request was not applied."))


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    HTTPException: handle_http_exception,
    IntegrityError: handle_integrity_error,
    OperationalError: handle_operational_error,
    RecursionError: handle_too_deep,
    Exception: handle_unexpected,
}


# ---------------------------------------------------------------- documentation


Code = Annotated[str, msgspec.Meta(
    description="What went wrong, for programs: stable, snake_case (`period_closed`, "
                "`empty`, `invalid_value`); the English text may be reworded, the code is not")]
Params = Annotated[dict[str, str | int | None], msgspec.Meta(
    description="The values in the message, by name (`{\"month\": \"2026-10\", \"status\": "
                "\"closed\"}`), so that a client can say it in its own words")]


class ProblemError(msgspec.Struct):
    """One thing wrong with the request: a field (validation) or a row and column (imports)."""

    message: str
    code: Code
    params: Params
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
    code: Code
    params: Params
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
