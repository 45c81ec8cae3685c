"""Log in and out in the browser; `/` sends each role to its own start page."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get, post

from appraisal.accounts import service
from appraisal.accounts.auth import actor_for_user, logged_out_cookies, session_cookie
from appraisal.accounts.passwords import MIN_LENGTH
from appraisal.actor import Actor
from appraisal.errors import Unprocessable
from appraisal.proxies import client_address
from appraisal.web import attempt, home_of, page, see_other


def _local(url: str | None) -> str | None:
    """Only a path on this site: never redirect a visitor elsewhere after login."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return None
    return url


class LoginPage(Controller):
    path = "/"
    include_in_schema = False

    @get("/login", exclude_from_auth=True)
    async def form(self, request: Request[Any, Any, Any]) -> Response[str]:
        return page(request, "login.html", next=_local(request.query_params.get("next")) or "",
                    error=None, username="")

    @post("/login", exclude_from_auth=True, status_code=303)
    async def log_in(self, request: Request[Any, Any, Any]) -> Response[Any]:
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        target = _local(str(form.get("next", "")))
        client = client_address(request)

        async def again(status_code: int, error: str) -> Response[str]:
            return page(request, "login.html", status_code=status_code, error=error,
                        next=target or "", username=username)

        outcome = await attempt(lambda: service.login(username, password, client), again)
        if isinstance(outcome, Response):
            return outcome
        token, user = outcome
        response = see_other(target or home_of(await actor_for_user(user)))
        response.cookies.append(session_cookie(request, token))
        return response

    @post("/logout", status_code=303)
    async def log_out(self, request: Request[Actor, str, Any]) -> Response[Any]:
        await service.logout(request.auth)
        response = see_other("/login")
        response.cookies += logged_out_cookies(request)
        return response

    @get("/")
    async def home(self, request: Request[Actor, str, Any]) -> Response[Any]:
        return see_other(home_of(request.user))


class PasswordPage(Controller):
    path = "/"
    include_in_schema = False

    async def _form(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                    error: str | None = None) -> Response[str]:
        return page(request, "password.html", status_code=status_code, error=error,
                    min_length=MIN_LENGTH, forced=request.user.must_change_password,
                    saved=request.query_params.get("saved"))

    @get("/password")
    async def form(self, request: Request[Actor, str, Any]) -> Response[str]:
        """Change one's own password; a login HR made or reset lands here first."""
        return await self._form(request)

    @post("/password", status_code=303)
    async def change(self, request: Request[Actor, str, Any]) -> Response[Any]:
        form = await request.form()
        current, new = str(form.get("current", ""))[:256], str(form.get("new", ""))[:256]
        repeat = str(form.get("repeat", ""))[:256]

        async def work() -> Any:
            if new != repeat:
                raise Unprocessable.field("repeat", "does not match the new password",
                                          code="passwords_differ")
            return await service.change_own_password(request.user, request.auth, current, new)

        done = await attempt(work, partial(self._form, request))
        if isinstance(done, Response):
            return done
        if request.user.must_change_password:  # forced: now on to where the login goes
            return see_other(home_of(replace(request.user, must_change_password=False)))
        return see_other("/password?saved=1")
