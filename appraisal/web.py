"""Server-rendered pages: templates, language, CSRF, and where to send a visitor.

Pages are in Chinese unless the visitor picks English (`?lang=en`, kept in a
cookie). Template texts are written in English and translated from
`appraisal/locale/zh.po` (read with Babel at start-up: no compile step).

Every page form carries the CSRF token of the `csrftoken` cookie (double
submit, the same token API writes send in the `x-csrftoken` header); page
writes are checked here, before their handler runs, because a plain form
cannot send a header.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import msgspec
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import MediaType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect

from appraisal.accounts.auth import CSRF_COOKIE, CSRF_HEADER, SAFE_METHODS, PasswordChangeRequired
from appraisal.actor import Actor, Role
from appraisal.clock import local
from appraisal.config import get_settings
from appraisal.errors import Message, Problem, field_message
from appraisal.figures import figure
from appraisal.idempotency import new_key
from appraisal.labels import KINDS as LABELS
from appraisal.labels import PARAM_KINDS, label, value_kind
from appraisal.proxies import cookie_secure
from appraisal.rulebook import touchpoint_names

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh", "en")
LANG_COOKIE = "lang"
T = TypeVar("T")


def score(value: Any) -> str:
    """A score as published: two decimals, half up (live scores are exact)."""
    if value is None or value == "":
        return "—"
    return figure(Decimal(str(value))) or "—"


@lru_cache(maxsize=1)
def _env() -> Environment:
    # Autoescape: employee- and customer-written text never becomes markup.
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR),
                      autoescape=select_autoescape(["html"]), auto_reload=False)
    env.filters["score"] = score
    env.filters["local"] = local  # timestamps in the organisation's time zone
    env.filters["local_value"] = local_value
    env.globals["value_kind"] = value_kind  # which labels an audited value takes
    # All pages' styles (no inline style: appraisal.headers); its address changes with
    # its content, so that no browser keeps an old copy.
    env.globals["stylesheet"] = f"/static/app.css?v={stylesheet_version()}"
    return env


@cache
def stylesheet_version() -> str:
    return hashlib.sha256((TEMPLATES_DIR / "static" / "app.css").read_bytes()).hexdigest()[:12]


# A static file whose address names its content (app.css?v=<its hash>, htmx-2.0.11.min.js,
# redoc-2.5.4/) is kept a year and never asked for again: on a phone's weak signal the
# pages after the first then load no CSS or JS at all. The icon, which browsers fetch
# after every cold page, is kept a week (an old icon a while is harmless). Any other
# static file is asked for again each time (the static files router answers no 304:
# the whole file).
_VERSIONED_NAME = re.compile(r"-\d+\.\d+\.\d+(\.min)?(\.\w+|/)")
FOREVER = "public, max-age=31536000, immutable"
A_WEEK = "public, max-age=604800"


async def static_lifetimes(message: Any, scope: Any) -> None:
    """A `before_send` hook: Cache-Control for /static/ answers."""
    path = scope.get("path", "")
    if message["type"] != "http.response.start" or not path.startswith("/static/"):
        return
    versioned = bool(_VERSIONED_NAME.search(path)) or (
        path == "/static/app.css"
        and f"v={stylesheet_version()}".encode() in scope.get("query_string", b"").split(b"&"))
    ok = message.get("status") in (200, 304)
    lifetime = A_WEEK if path == "/static/favicon.ico" else FOREVER if versioned else "no-cache"
    MutableScopeHeaders.from_message(message).setdefault(
        "Cache-Control", lifetime if ok else "no-cache")


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / f"{lang}.po").open("rb") as po:
        catalog = read_po(po, locale="zh_Hans_CN")
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def language(request: Request[Any, Any, Any]) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGUAGES else "zh"


def csrf_token(request: Request[Any, Any, Any]) -> str:
    return request.cookies.get(CSRF_COOKIE) or request.scope.setdefault(  # type: ignore[return-value]
        "_new_csrf", secrets.token_urlsafe(32))


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def local_value(value: Any) -> Any:
    """A value kept as JSON (the audit trail's before and after): a timestamp, stored
    in UTC, in the organisation's time zone; anything else as it is."""
    if isinstance(value, str) and _ISO_TIME.match(value):
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            return value
        return local(ts).strftime("%Y-%m-%d %H:%M") if ts.tzinfo else value
    return value


def say(message: str | None, lang: str) -> str | None:
    """A problem's message in the page's language: its template translated (zh.po),
    filled with its values; a value named after a kind of code (`field`, `severity`,
    `period_status`: appraisal.labels) by its label, a field in English too."""
    if not isinstance(message, Message):
        return message

    def shown(name: str, value: Any) -> Any:
        # English templates already read well with a code ("is closed"); a field, a
        # role and a kind of record are named as the pages name them in either language.
        kind = PARAM_KINDS.get(name, name)
        labelled = kind in LABELS and (lang != "en" or kind in ("field", "role", "audit_entity"))
        if not (labelled and isinstance(value, str)):
            return value
        return ", ".join(label(kind, code, lang) for code in value.split(", "))  # a list of codes

    return message.render(translations(lang).gettext, shown)


def _said(value: Any, lang: str) -> Any:
    # A Message handed to a page (an `error`, the `errors` of an import) is shown translated.
    if isinstance(value, Message):
        return say(value, lang)
    if isinstance(value, list) and any(isinstance(e, dict) and isinstance(e.get("message"), Message)
                                       for e in value):
        return [{**e, "message": say(e["message"], lang)} if isinstance(e, dict) else e
                for e in value]
    return value


def place(text: str, lang: str, touchpoints: Mapping[str, tuple[str, str]]) -> str:
    """Where an inspection took place, or a checklist group, as people read it: a
    touchpoint's code or Chinese name in the page's language (`touchpoints`: the
    rulebooks' names), an item group by its label, free text (rulebooks without
    touchpoints) as it was written."""
    if text in LABELS["item_group"]:
        return label("item_group", text, lang)
    names = touchpoints.get(text)
    if names is None:
        return text
    return names[1] if lang == "en" else names[0]


def page(request: Request[Any, Any, Any], template: str, *, status_code: int = 200,
         **context: Any) -> Response[str]:
    lang = language(request)
    t = translations(lang)
    user: Actor | None = request.scope.get("user")  # type: ignore[assignment]
    context = {k: _said(v, lang) for k, v in context.items()}
    names = cache(touchpoint_names)  # the rulebooks read once a page, if it shows a place
    # `idempotency_key()`: a fresh key for each form on the page, so that a form sent
    # twice writes once (appraisal.idempotency). `label(kind, code)`: a code as people
    # read it in the page's language (appraisal.labels).
    html = _env().get_template(template).render(
        _=t.gettext, ngettext=t.ngettext, lang=lang, csrf=csrf_token(request), user=user,
        path=request.url.path,
        organisation=get_settings().organisation, idempotency_key=new_key,
        label=lambda kind, code: label(kind, code, lang),
        place=lambda text: place(text, lang, names()), **context)
    cookies = []
    secure = cookie_secure(request)
    if CSRF_COOKIE not in request.cookies:
        # Readable by scripts on purpose: HTMX and API callers echo it in a header.
        cookies.append(Cookie(key=CSRF_COOKIE, value=csrf_token(request), samesite="strict",
                              secure=secure, path="/", httponly=False))
    if request.query_params.get("lang") == lang:
        cookies.append(Cookie(key=LANG_COOKIE, value=lang, samesite="lax", path="/",
                              max_age=365 * 86400, secure=secure))
    return Response(html, status_code=status_code, media_type=MediaType.HTML,
                    cookies=cookies)


def plain_field_error(message: str) -> str:
    """msgspec's "Expected `int` >= 1 - at `$.employee_id`" as "employee_id: Expected …"
    (translated, a generic message naming the field: msgspec's words are English)."""
    head, _, where = message.partition(" - at `$.")
    reason = Message("invalid_value", "%(reason)s", reason=head)
    return field_message(where.split('`')[0].split('.')[0], reason) if where else reason


async def attempt(
    work: Callable[[], Awaitable[T]],
    again: Callable[..., Awaitable[Response[str]]],
    *,
    field_error: Callable[[str], str] = plain_field_error,
    with_errors: bool = False,
) -> T | Response[str]:
    """Call the service behind a page form; on a problem, the same page again with it.

    `again(status_code=, error=)` re-renders the form (keeping what the visitor
    typed); `with_errors` also hands it the problem's list of field or row errors.
    Bad input never leaves the page: a 422 names the field, any other problem keeps
    its status (404, 409, 429), its words and its headers (a 429's Retry-After).
    """
    try:
        return await work()
    except msgspec.ValidationError as exc:
        return await again(status_code=422, error=field_error(str(exc)))
    except Problem as problem:
        extra = {"errors": problem.errors} if with_errors else {}
        response = await again(status_code=problem.status_code, error=problem.message, **extra)
        response.headers.update(problem.headers or {})
        return response


def see_other(url: str) -> Redirect:
    """After a form post: the browser loads the next page with a GET."""
    return Redirect(path=url, status_code=303)


async def verify_csrf(request: Request[Any, Any, Any]) -> None:
    """Before every page handler: a write must echo the CSRF cookie."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    cookie = request.cookies.get(CSRF_COOKIE)
    if not sent or not cookie or not secrets.compare_digest(sent, cookie):
        raise PermissionDeniedException(detail=Message(
            "form_expired", "The form has expired or did not come from this site; reload the "
            "page and send it again."))


def home_of(actor: Actor) -> str:
    """Where a login lands: HR and admin run the months, supervisors their team; a login
    HR made or reset changes its password first."""
    if actor.must_change_password:
        return "/password"
    if actor.role == Role.employee:
        return "/me"
    return "/months" if actor.role in (Role.hr, Role.admin) else "/team"


def to_login(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    """A page asked for without a session: log in, then come back; a language picked
    in the address (`/?lang=en`) stays picked on the login page."""
    lang = request.query_params.get("lang")
    keep = f"&lang={lang}" if lang in LANGUAGES else ""
    return see_other(f"/login?next={quote(request.url.path)}{keep}")


def to_password(request: Request[Any, Any, Any], _: PasswordChangeRequired) -> Response[Any]:
    """Any page but the password's, for a login that must change its password first."""
    return see_other("/password")


PAGE_EXCEPTION_HANDLERS: dict[type[Exception], Callable[..., Response[Any]]] = {
    NotAuthorizedException: to_login,
    PasswordChangeRequired: to_password,
}
