"""The emulator's own admin API under ``/_emulator/`` (real Azure has nothing like it).

Health, reset, the bounded request log (secrets redacted) and per-deployment faults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator.errors import EmulatorError
from emulator.faults import FaultSpecError, parse_fault_spec, unknown_deployment_warning
from emulator.jsonbody import JsonRejected
from emulator.limits import RequestLimits
from emulator.requestbody import read_json_value
from emulator.state import EmulatorState


async def read_admin_json(
    request: Request,
    limits: RequestLimits,
    example: str,
    *,
    error: Callable[[str], EmulatorError] = lambda message: EmulatorError(400, "BadRequest", message),
) -> Any:
    """An admin route's strict JSON body, or a 400/413 that names the problem and shows ``example``."""
    try:
        return await read_json_value(
            request, cap=limits.admin_max_body_bytes, max_depth=limits.json_max_depth
        )
    except JsonRejected as exc:
        if exc.too_large:
            raise EmulatorError(
                413,
                "RequestEntityTooLarge",
                f"The request body is larger than {limits.admin_max_body_bytes} bytes; send less.",
            ) from None
        raise error(f"The body is not accepted: {exc.reason}; send JSON such as {example}.") from None


def admin_routes(state: EmulatorState) -> list[Route]:
    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "baseUrl": state.base_url,
                "startedAt": state.started_at,
                "accounts": sorted(a.subdomain for a in state.registry.all()),
            }
        )

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"status": "reset"})

    async def requests(request: Request) -> Response:
        return JSONResponse({"requests": [r.to_json() for r in state.request_log.records()]})

    async def list_faults(request: Request) -> Response:
        return JSONResponse({"faults": state.faults.describe()})

    async def clear_all_faults(request: Request) -> Response:
        state.faults.clear()
        state.release_hung()
        return Response(status_code=204)

    async def fault(request: Request) -> Response:
        subdomain = request.path_params["subdomain"]
        deployment = request.path_params["deployment"]
        if request.method == "DELETE":
            state.faults.clear(subdomain, deployment)
            state.release_hung()
            return Response(status_code=204)
        raw = await read_admin_json(
            request, state.settings.config.limits, '{"errorRate": 0.5}', error=FaultSpecError
        )
        spec = parse_fault_spec(raw)
        account = state.registry.get(subdomain)
        if account is None:
            raise EmulatorError(
                404, "AccountNotFound", f"No account with subdomain {subdomain!r}; create it first."
            )
        state.faults.set(subdomain, deployment, spec)
        answer: dict[str, Any] = {"subdomain": subdomain, "deployment": deployment, "spec": spec.to_json()}
        warning = unknown_deployment_warning(subdomain, deployment, account.deployments)
        if warning:
            answer["warning"] = warning
        return JSONResponse(answer)

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/requests", requests, methods=["GET"]),
        Route("/_emulator/faults", list_faults, methods=["GET"]),
        Route("/_emulator/faults", clear_all_faults, methods=["DELETE"]),
        Route("/_emulator/faults/{subdomain}/{deployment}", fault, methods=["PUT", "DELETE"]),
    ]
