"""Assembles the Litestar application from the domain routers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar, Router, get
from litestar.config.compression import CompressionConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from appraisal.accounts.auth import TokenAuthentication
from appraisal.accounts.pages import LoginPage, PasswordPage
from appraisal.accounts.routes import AuthController, TeamController, UserController
from appraisal.api_docs import render_plugins
from appraisal.appeals.pages import AppealPages, MyPage
from appraisal.appeals.routes import AppealController, MyAppraisalController
from appraisal.audit.pages import AuditPage
from appraisal.audit.routes import AuditController
from appraisal.db import close_db, init_db
from appraisal.error_pages import APP_ERROR_HANDLERS, PAGE_ERROR_HANDLERS
from appraisal.errors import ProblemResponses
from appraisal.evidence.action_pages import ActionPages
from appraisal.evidence.feedback import FeedbackController
from appraisal.evidence.pages import EvidencePages
from appraisal.evidence.routes import (
    ActionController,
    CommendationController,
    ComplaintController,
    ImportController,
    InspectionController,
    PhotoController,
    SurveyController,
)
from appraisal.headers import TextCompression, security_headers
from appraisal.health import healthz
from appraisal.idempotency import IdempotencyKeys
from appraisal.incentives.routes import IncentiveController
from appraisal.periods.pages import MonthPages
from appraisal.reporting.routes import ReportController, ReportJobController
from appraisal.scoring.calibration import CalibrationController
from appraisal.scoring.period_routes import PeriodController
from appraisal.scoring.routes import ScoreController
from appraisal.staff.pages import STAFF_PAGES
from appraisal.staff.routes import EmployeeController
from appraisal.standards.pages import StandardsPage
from appraisal.standards.routes import RulebookController
from appraisal.web import (
    A_WEEK,
    PAGE_EXCEPTION_HANDLERS,
    TEMPLATES_DIR,
    static_lifetimes,
    verify_csrf,
)

log = logging.getLogger("appraisal")

PUBLIC_PATHS = ["^/schema", "^/healthz", "^/api/v1/auth/login", "^/login$", "^/static/",
                "^/favicon.ico$"]


def _lifespan(
    database_url: str | None, manage_db: bool
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        if manage_db:
            await init_db(database_url)
            from appraisal.reporting.jobs import fail_interrupted

            await fail_interrupted()
        # Everything loaded at start-up lives as long as the process: out of the
        # collector's sight, so that its full collections, which would otherwise walk
        # every model, route and template, stop pausing requests.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if manage_db:
                await close_db()

    return lifespan


def _pages() -> Router:
    # Pages: every write checks its form's CSRF token; no session sends to the login page;
    # any other error is a page too (appraisal.error_pages).
    return Router(path="/", route_handlers=[LoginPage, EvidencePages, MyPage, AppealPages,
                                            MonthPages, AuditPage, ActionPages,
                                            StandardsPage, PasswordPage, *STAFF_PAGES],
                  before_request=verify_csrf,
                  exception_handlers={**PAGE_ERROR_HANDLERS, **PAGE_EXCEPTION_HANDLERS},
                  include_in_schema=False)


@get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
def favicon() -> File:
    """Where browsers look for the icon unasked (the pages link /static/favicon.ico)."""
    return File(TEMPLATES_DIR / "static" / "favicon.ico", media_type="image/x-icon",
                content_disposition_type="inline", headers={"Cache-Control": A_WEEK})


def _route_handlers() -> list[ControllerRouterHandler]:
    return [
        healthz,
        favicon,
        AuthController,
        UserController,
        TeamController,
        EmployeeController,
        PeriodController,
        ScoreController,
        IncentiveController,
        ReportController,
        ReportJobController,
        InspectionController,
        ComplaintController,
        SurveyController,
        CommendationController,
        ActionController,
        ImportController,
        FeedbackController,
        CalibrationController,
        MyAppraisalController,
        AppealController,
        AuditController,
        RulebookController,
        PhotoController,
        _pages(),
        # Pages work without scripts; HTMX (vendored, 0BSD) makes links and
        # forms swap the page in place when it is there.
        create_static_files_router(path="/static", directories=[TEMPLATES_DIR / "static"],
                                   include_in_schema=False),
    ]


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Service appraisal & incentive API",
        version="1.0.0",
        path="/schema",
        render_plugins=render_plugins(),  # served from /static: nothing from another site
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer"),
            }
        ),
        security=[{"BearerToken": []}],
    )


def create_app(database_url: str | None = None, *, manage_db: bool = True) -> Litestar:
    """`manage_db=False` leaves Tortoise set-up to the caller (tests share one)."""
    return Litestar(
        route_handlers=_route_handlers(),
        middleware=[DefineMiddleware(TokenAuthentication, exclude=PUBLIC_PATHS)],
        lifespan=[_lifespan(database_url, manage_db)],
        # problem+json for the API; a page for a browser elsewhere (an unknown address)
        exception_handlers=APP_ERROR_HANDLERS,
        plugins=[ProblemResponses(), IdempotencyKeys()],
        # gzip for text only (appraisal.headers.TextCompression): a page is about a fifth
        # of its size on the wire.
        compression_config=CompressionConfig(backend="gzip", minimum_size=2048,
                                             middleware_class=TextCompression),
        request_max_body_size=8 * 1024 * 1024,
        openapi_config=_openapi(),
        before_send=[security_headers,  # CSP and friends on every response, errors too
                     static_lifetimes],  # versioned CSS/JS kept a year
    )
