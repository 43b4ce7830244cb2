"""The emulator's own admin API under ``/_emulator/`` (real Azure has nothing like it).

Health, reset, the bounded request log (secrets redacted) and per-deployment faults.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator.errors import EmulatorError
from emulator.faults import FaultSpecError, parse_fault_spec
from emulator.state import EmulatorState


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
        try:
            raw = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise FaultSpecError(
                'The fault spec is not valid JSON; send an object such as {"errorRate": 0.5}.'
            ) from None
        spec = parse_fault_spec(raw)
        if state.registry.get(subdomain) is None:
            raise EmulatorError(
                404, "AccountNotFound", f"No account with subdomain {subdomain!r}; create it first."
            )
        state.faults.set(subdomain, deployment, spec)
        return JSONResponse({"subdomain": subdomain, "deployment": deployment, "spec": spec.to_json()})

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/requests", requests, methods=["GET"]),
        Route("/_emulator/faults", list_faults, methods=["GET"]),
        Route("/_emulator/faults", clear_all_faults, methods=["DELETE"]),
        Route("/_emulator/faults/{subdomain}/{deployment}", fault, methods=["PUT", "DELETE"]),
    ]
