"""The emulator's ASGI app factory: ``create_app(settings)`` builds the state and mounts the route groups.

Route groups: the account data plane (``dataplane_routes``), the admin API (``admin_routes``) and, when
the package ``emulator.arm`` provides ``arm_routes(state)``, the ARM subset at the root. Every
``EmulatorError`` becomes Azure's JSON answer in ``azure_error``; nothing else renders errors.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from emulator.admin import admin_routes
from emulator.admintoken import AdminTokenMiddleware
from emulator.catalog import load_catalog
from emulator.config import Settings
from emulator.dataplane import dataplane_routes
from emulator.errors import EmulatorError, resource_not_found, server_error
from emulator.middleware import AzureHeadersMiddleware
from emulator.recorder import ResponseRecorder, record_path_from_env
from emulator.state import EmulatorState

log = logging.getLogger("emulator")


def optional_arm_routes(state: EmulatorState) -> list[BaseRoute]:
    try:
        from emulator.arm import arm_routes  # type: ignore[attr-defined]
    except ImportError:
        return []
    return list(arm_routes(state))


async def azure_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EmulatorError)
    request.state.error_code = exc.code
    v1 = "/openai/v1/" in request.url.path
    return JSONResponse(exc.body(v1=v1), status_code=exc.status, headers=exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return await azure_error(request, resource_not_found())
    return JSONResponse(
        {"error": {"code": str(exc.status_code), "message": exc.detail}}, status_code=exc.status_code
    )


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error answering %s %s", request.method, request.url.path)
    return await azure_error(request, server_error(500))


def create_app(settings: Settings, *, state: EmulatorState | None = None) -> Starlette:
    state = state or EmulatorState.create(settings, load_catalog(settings.catalog_path))
    routes: list[BaseRoute] = [*admin_routes(state), *dataplane_routes(state), *optional_arm_routes(state)]
    middleware = [Middleware(AzureHeadersMiddleware, request_log=state.request_log, metrics=state.metrics)]
    if settings.admin_token is not None:
        middleware.insert(0, Middleware(AdminTokenMiddleware, token=settings.admin_token))
    record_path = record_path_from_env()
    if record_path is not None:
        # Outermost, so the record holds the headers the client gets.
        middleware.insert(0, Middleware(ResponseRecorder, path=record_path))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            EmulatorError: azure_error,
            HTTPException: http_error,
            Exception: unexpected_error,
        },
    )
    app.state.emulator = state
    state.snapshots.require_complete()
    return app
