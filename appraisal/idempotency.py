"""Retries that write once (SPEC §3.6 Retries).

Phones on the floor lose signal and send a write again. A write sent with an
`Idempotency-Key` header (page forms: the hidden `idempotency_key` field) is
answered once: the same key, method, path and body again get the first answer
back (status, Location, content type, body; marked `Idempotent-Replayed: true`)
and write nothing; the same key with another request is a 422 naming the key.
Keys are per user and kept 24 hours; a write without a key is not touched.

How a write is made once: the key's row is inserted in the same transaction as
the write itself (the services' own transactions nest inside it as savepoints)
and the handler's answer is held back until that transaction has committed with
the answer in the row. A second request with the same key, sent while the
first is still running, waits on the unique (user, key) index (PostgreSQL) or
on the connection's lock (SQLite) and then replays the first answer; no row
is ever left half-done by a crash, because a pending row never commits alone.

Only successful answers (2xx and 3xx) are kept: a refused request (4xx) or a
failed one (5xx) wrote nothing, so there is nothing to protect, and the same
key may be sent again once the form or body is put right.

Apply it with `middleware = [Idempotency()]` on a controller or handler; the
`IdempotencyKeys` route plugin documents the header on every such write.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType, ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.openapi.spec import Operation, Schema
from litestar.openapi.spec import Parameter as OpenAPIParameter
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from appraisal import clock
from appraisal.accounts.models import IdempotentRequest
from appraisal.actor import Actor
from appraisal.errors import Conflict, Unprocessable
from appraisal.errors import Message as Said

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"  # page forms cannot send a header
KEPT_FOR = timedelta(hours=24)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = r"^[\x20-\x7e]{1,200}$"  # printable ASCII, at most the column's 200
_KEY = re.compile(KEY_PATTERN)
_FORMS = frozenset({RequestEncodingType.URL_ENCODED.value, RequestEncodingType.MULTI_PART.value})
# Cookies belong to the session that got them; lengths are counted again on replay.
_NOT_REPLAYED = frozenset({"set-cookie", "content-length", "date"})
REPLAYED_HEADER = "idempotent-replayed"


def new_key() -> str:
    """A fresh key for a rendered form: one form, one write."""
    return secrets.token_urlsafe(18)


class _KeyTaken(Exception):
    """Another request holding this key committed first."""


class _Refused(Exception):
    """The handler refused the write: roll back, keep nothing, pass its answer on."""

    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages


@dataclass(frozen=True, slots=True)
class _Attempt:
    user_id: int
    field: str  # where the key came from: the header or the form field
    key: str
    method: str
    path: str
    body_hash: str


class Idempotency(ASGIMiddleware):
    """Replays the first answer to a write sent again with the same key (module docs)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        user = scope.get("user")
        if scope["method"] not in WRITES or not isinstance(user, Actor):
            await next_app(scope, receive, send)
            return
        # The body read here stays in the connection's state: the handler's own
        # request.body() / request.form() read it from there.
        request: Request[Any, Any, Any] = Request(scope, receive)
        sent = await _sent_key(request)
        if sent is None:
            await next_app(scope, receive, send)
            return
        field, key = sent
        if not _KEY.fullmatch(key):
            raise Unprocessable.field(field, "must be 1 to 200 printable ASCII characters",
                                      code="bad_idempotency_key")
        attempt = _Attempt(user.id, field, key, scope["method"], scope["path"],
                           await _body_hash(request))
        earlier = await _earlier(attempt)
        if earlier is None:
            # Expired keys go first (one indexed delete, outside the write's transaction
            # so that concurrent writes never wait on each other's purge).
            await IdempotentRequest.filter(
                user_id=attempt.user_id, created_at__lt=clock.now() - KEPT_FOR).delete()
            try:
                messages = await _first(attempt, scope, receive, next_app)
            except _KeyTaken:
                earlier = await _earlier(attempt)
                if earlier is None:  # taken and gone again in between: rare, and safe to retry
                    raise Conflict("A request with this Idempotency-Key is still being "
                                   "processed; send it again in a moment.",
                                   code="idempotency_key_busy",
                                   headers={"Retry-After": "1"}) from None
            else:
                for message in messages:
                    await send(message)
                return
        if (earlier.method, earlier.path, earlier.body_hash) != (
                attempt.method, attempt.path, attempt.body_hash):
            if field == FORM_FIELD:  # a person pressed Back, changed the form, sent it again
                said = Said("form_already_sent", "this form was already sent with other "
                               "answers; open the page again to record something new")
                raise Unprocessable(said, errors=[{"field": field, "message": said}])
            raise Unprocessable.field(
                field, "this key was already used for another request (%(method)s %(path)s "
                       "with another body); send a new key for a new write",
                code="idempotency_key_reused", method=earlier.method, path=earlier.path)
        await _replay(earlier, send)


async def _sent_key(request: Request[Any, Any, Any]) -> tuple[str, str] | None:
    """(where, key): the header, else a form's hidden field; None: no key, as before."""
    if (key := request.headers.get(HEADER)) is not None:
        return HEADER, key
    if request.content_type[0] in _FORMS:
        await request.body()  # first, so that parsing a multipart form keeps the raw body
        value = (await request.form()).get(FORM_FIELD)
        if value is not None:
            return FORM_FIELD, value if isinstance(value, str) else ""
    return None


async def _body_hash(request: Request[Any, Any, Any]) -> str:
    """SHA-256 of what the request asks for: its query and body. A form counts by its
    fields, not its bytes: a browser writes a new multipart boundary each time."""
    digest = hashlib.sha256(request.scope.get("query_string", b"") + b"\n")
    if request.content_type[0] not in _FORMS:
        digest.update(await request.body())
        return digest.hexdigest()
    fields: list[tuple[str, Any]] = []
    for name, value in sorted((await request.form()).multi_items(), key=lambda kv: kv[0]):
        if name == FORM_FIELD:
            continue
        if isinstance(value, UploadFile):
            content = await value.read()
            await value.seek(0)  # the handler reads the upload again
            value = [value.filename, value.content_type, hashlib.sha256(content).hexdigest()]
        fields.append((name, value))
    digest.update(msgspec.json.encode(fields))
    return digest.hexdigest()


async def _earlier(attempt: _Attempt) -> IdempotentRequest | None:
    return await IdempotentRequest.filter(
        user_id=attempt.user_id, key=attempt.key,
        created_at__gte=clock.now() - KEPT_FOR).first()


async def _first(attempt: _Attempt, scope: Scope, receive: Receive,
                 next_app: ASGIApp) -> list[Message]:
    """Run the write and keep its answer, in one transaction; the answer's messages."""
    messages: list[Message] = []

    async def hold(message: Message) -> None:
        messages.append(message)

    try:
        async with in_transaction():
            try:
                row = await IdempotentRequest.create(
                    user_id=attempt.user_id, key=attempt.key, method=attempt.method,
                    path=attempt.path, body_hash=attempt.body_hash, status_code=0,
                    created_at=clock.now())
            except IntegrityError:
                raise _KeyTaken from None
            await next_app(scope, receive, hold)
            status, headers, body = _answer(messages)
            if not 200 <= status < 400:
                raise _Refused(messages)
            row.status_code, row.headers, row.body = status, headers, body
            await row.save(update_fields=["status_code", "headers", "body"])
    except _Refused as refused:
        return refused.messages
    return messages


def _answer(messages: list[Message]) -> tuple[int, dict[str, str], bytes]:
    status, headers, chunks = 500, {}, []
    for message in messages:
        if message["type"] == "http.response.start":
            status = message["status"]
            for raw_name, raw_value in message.get("headers", []):
                name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
                if name not in _NOT_REPLAYED:
                    headers[name] = f"{headers[name]}, {value}" if name in headers else value
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
    return status, headers, b"".join(chunks)


async def _replay(row: IdempotentRequest, send: Send) -> None:
    body = bytes(row.body or b"")
    headers = [(name.encode("latin-1"), value.encode("latin-1"))
               for name, value in (row.headers or {}).items()]
    if row.status_code not in (204, 304):  # answers that never carry a length
        headers.append((b"content-length", str(len(body)).encode()))
    headers.append((REPLAYED_HEADER.encode(), b"true"))
    await send({"type": "http.response.start", "status": row.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


# ---------------------------------------------------------------- documentation

KEY_PARAMETER = OpenAPIParameter(
    name=HEADER, param_in="header", required=False,
    schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=200, pattern=KEY_PATTERN),
    description="Any unique value (a UUID) per write. Sent again with the same body within "
                "24 hours, the first answer comes back (same status and id) and nothing is "
                "written; with another body it is a 422.")


@dataclass
class IdempotentOperation(Operation):
    """An operation that also takes the Idempotency-Key header."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), KEY_PARAMETER]


class IdempotencyKeys(ReceiveRoutePlugin):
    """Documents the Idempotency-Key header on every write the middleware guards."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        for handler in route.route_handlers:
            if handler.http_methods & WRITES and any(
                    isinstance(m, Idempotency) for m in handler.resolve_middleware()):
                handler.operation_class = IdempotentOperation
