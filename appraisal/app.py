"""Assembles the Litestar application from the domain routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from appraisal.accounts.auth import TokenAuthentication
from appraisal.accounts.pages import LoginPage
from appraisal.accounts.routes import AuthController, TeamController, UserController
from appraisal.appeals.pages import AppealPages, MyPage
from appraisal.appeals.routes import AppealController, MyAppraisalController
from appraisal.audit.pages import AuditPage
from appraisal.audit.routes import AuditController
from appraisal.db import close_db, init_db
from appraisal.errors import EXCEPTION_HANDLERS, ProblemResponses
from appraisal.evidence.feedback import FeedbackController
from appraisal.evidence.pages import EvidencePages
from appraisal.evidence.routes import (
    CommendationController,
    ComplaintController,
    ImportController,
    InspectionController,
    SurveyController,
)
from appraisal.headers import security_headers
from appraisal.health import healthz
from appraisal.idempotency import IdempotencyKeys
from appraisal.incentives.routes import IncentiveController
from appraisal.periods.pages import MonthPages
from appraisal.reporting.routes import ReportController, ReportJobController
from appraisal.scoring.calibration import CalibrationController
from appraisal.scoring.period_routes import PeriodController
from appraisal.scoring.routes import ScoreController
from appraisal.staff.routes import EmployeeController
from appraisal.web import PAGE_EXCEPTION_HANDLERS, TEMPLATES_DIR, verify_csrf

log = logging.getLogger("appraisal")

PUBLIC_PATHS = ["^/schema", "^/healthz", "^/api/v1/auth/login", "^/login$", "^/static/"]


def _lifespan(
    database_url: str | None, manage_db: bool
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        if manage_db:
            await init_db(database_url)
            from appraisal.reporting.jobs import fail_interrupted

            await fail_interrupted()
        try:
            yield
        finally:
            if manage_db:
                await close_db()

    return lifespan


def _pages() -> Router:
    # Pages: every write checks its form's CSRF token; no session sends to the login page.
    return Router(path="/", route_handlers=[LoginPage, EvidencePages, MyPage, AppealPages,
                                            MonthPages, AuditPage],
                  before_request=verify_csrf,
                  exception_handlers={**EXCEPTION_HANDLERS, **PAGE_EXCEPTION_HANDLERS},
                  include_in_schema=False)


def _route_handlers() -> list[ControllerRouterHandler]:
    return [
        healthz,
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
        ImportController,
        FeedbackController,
        CalibrationController,
        MyAppraisalController,
        AppealController,
        AuditController,
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
        exception_handlers=EXCEPTION_HANDLERS,
        plugins=[ProblemResponses(), IdempotencyKeys()],
        compression_config=CompressionConfig(backend="gzip", minimum_size=2048),
        request_max_body_size=8 * 1024 * 1024,
        openapi_config=_openapi(),
        before_send=[security_headers],  # CSP and friends on every response, errors too
    )
