"""The HTTP face of the ARM subset: auth, api-version, dispatch on the parsed path, LRO headers.

Thin on purpose: every handler parses the request, calls one provider method and turns its ArmResult into
a response. ArmErrors raised anywhere become ARM's ``{"error": {"code", "message"}}`` in ``_answer``.
Long-running answers carry ``Azure-AsyncOperation`` and ``Location`` (absolute URLs) and a short
``retry-after-ms`` (or ``Retry-After`` when the configured delay is a second or more).
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from emulator import facts
from emulator.admin import read_admin_json
from emulator.apim.resources import ApimProvider, apim_table
from emulator.arm import errors
from emulator.arm.accounts import AccountsProvider
from emulator.arm.auth import check_bearer
from emulator.arm.children import ChildrenProvider
from emulator.arm.deployments import DeploymentsProvider
from emulator.arm.generic import GenericProvider, require_resource_group
from emulator.arm.ids import ArmPath, ArmPathError, parse_arm_path
from emulator.arm.locations import LocationsProvider
from emulator.arm.offers import ReleaseError, parse_release
from emulator.arm.operations import Operation
from emulator.arm.settings import parse_quota
from emulator.arm.state import ArmResult, ArmState
from emulator.errors import EmulatorError
from emulator.jsonbody import JsonRejected, parse_json
from emulator.limits import RequestLimits
from emulator.paths import request_path
from emulator.requestbody import read_bounded
from emulator.specs.judge import default_judge

CS = "microsoft.cognitiveservices"
METHODS = ["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD"]
Handler = Callable[["ArmCall"], ArmResult]


class ArmCall:
    """One parsed ARM request: its path, method, query, body and the base URL endpoints are built from."""

    def __init__(
        self, path: ArmPath, method: str, query: dict[str, str], body: dict[str, Any], base_url: str
    ):
        self.path = path
        self.method = method
        self.query = query
        self.body = body
        self.base_url = base_url


class ArmApi:
    def __init__(self, state: ArmState) -> None:
        self.state = state
        self.accounts = AccountsProvider(state)
        self.deployments = DeploymentsProvider(state)
        self.children = ChildrenProvider(state)
        self.locations = LocationsProvider(state)
        self.generic = GenericProvider(state)
        self.apim = ApimProvider(state)
        c = self
        # signature -> method -> handler; a signature is the lower-case shape of the path (ids.ArmPath).
        self.table: dict[str, dict[str, Handler]] = {
            "#resourcegroups": {"GET": lambda r: c.generic.list_resource_groups(r.path.subscription)},
            f"#{CS}/accounts": {
                "GET": lambda r: c.accounts.list_accounts(
                    r.path.subscription, r.path.resource_group, r.base_url
                )
            },
            f"{CS}/accounts": {
                "GET": lambda r: c.accounts.get(r.path, r.base_url),
                "PUT": lambda r: c.accounts.create_or_update(r.path, r.body, r.base_url),
                "PATCH": lambda r: c.accounts.update(r.path, r.body, r.base_url),
                "DELETE": lambda r: c.accounts.delete(r.path),
            },
            f"{CS}/accounts#listkeys": {"POST": lambda r: c.accounts.list_keys(r.path)},
            f"{CS}/accounts#regeneratekey": {"POST": lambda r: c.accounts.regenerate_key(r.path, r.body)},
            f"{CS}/accounts#deployments": {"GET": lambda r: c.deployments.list_deployments(r.path)},
            f"{CS}/accounts/deployments": {
                "GET": lambda r: c.deployments.get(r.path),
                "PUT": lambda r: c.deployments.create_or_update(r.path, r.body),
                "PATCH": lambda r: c.deployments.update(r.path, r.body),
                "DELETE": lambda r: c.deployments.delete(r.path),
            },
            f"{CS}/accounts#raipolicies": {"GET": lambda r: c.children.list_rai_policies(r.path)},
            f"{CS}/accounts/raipolicies": {
                "GET": lambda r: c.children.get_rai_policy(r.path),
                "PUT": lambda r: c.children.put_rai_policy(r.path, r.body),
                "DELETE": lambda r: c.children.delete_rai_policy(r.path),
            },
            f"{CS}/accounts#projects": {"GET": lambda r: c.children.list_projects(r.path, r.base_url)},
            f"{CS}/accounts/projects": {
                "GET": lambda r: c.children.get_project(r.path, r.base_url),
                "PUT": lambda r: c.children.put_project(r.path, r.body, r.base_url),
                "DELETE": lambda r: c.children.delete_project(r.path),
            },
            f"{CS}/locations#models": {
                "GET": lambda r: c.locations.models(r.path.subscription, r.path.name())
            },
            f"{CS}/locations#usages": {
                "GET": lambda r: c.locations.usages(r.path.subscription, r.path.name())
            },
            f"#{CS}/modelcapacities": {
                "GET": lambda r: c.locations.model_capacities(r.path.subscription, r.query)
            },
            f"#{CS}/deletedaccounts": {"GET": lambda r: c.accounts.list_deleted(r.path.subscription)},
            f"{CS}/locations/resourcegroups/deletedaccounts": {
                "GET": lambda r: c.accounts.get_deleted(r.path),
                "DELETE": lambda r: c.accounts.purge(r.path),
            },
        }
        self.table.update(apim_table(self.apim))

    def handle(self, call: ArmCall) -> ArmResult:
        path = call.path
        signature = path.signature
        if signature in (f"{CS}/locations/operationstatuses", f"{CS}/locations/operationresults"):
            return self._operation(call, signature.endswith("operationresults"))
        if not path.segments and not path.tail:
            return self._scope(call)
        handlers = self.table.get(signature)
        if handlers is None:
            return self._generic(call)
        method = "GET" if call.method == "HEAD" else call.method
        if method not in handlers:
            raise errors.unsupported_method(call.method, path.id)
        return handlers[method](call)

    def _scope(self, call: ArmCall) -> ArmResult:
        path = call.path
        if path.resource_group is None:
            if call.method != "GET":
                raise errors.unsupported_method(call.method, path.id)
            subscription = path.subscription
            return ArmResult(
                200,
                {
                    "id": f"/subscriptions/{subscription}",
                    "subscriptionId": subscription,
                    "tenantId": self.state.settings.tenant_id,
                    "displayName": "imagegate emulator",
                    "state": "Enabled",
                },
            )
        rg_handlers: dict[str, Handler] = {
            "GET": lambda r: self.generic.get_resource_group(r.path),
            "HEAD": lambda r: self.generic.get_resource_group(r.path),
            "PUT": lambda r: self.generic.put_resource_group(r.path, r.body),
            "PATCH": lambda r: self.generic.put_resource_group(r.path, r.body),
            "DELETE": lambda r: self.generic.delete_resource_group(r.path),
        }
        if call.method not in rg_handlers:
            raise errors.unsupported_method(call.method, path.id)
        return rg_handlers[call.method](call)

    def _generic(self, call: ArmCall) -> ArmResult:
        path = call.path
        if path.tail:
            if call.method != "GET":
                raise errors.unsupported_method(call.method, f"{path.id}/{path.tail}")
            return self.generic.list_collection(path)
        handlers: dict[str, Handler] = {
            "GET": lambda r: self.generic.get(r.path),
            "HEAD": lambda r: self.generic.get(r.path),
            "PUT": lambda r: self.generic.put(r.path, r.body, r.query.get("api-version", "")),
            "DELETE": lambda r: self.generic.delete(r.path, r.query.get("api-version", "")),
        }
        if call.method not in handlers:
            raise errors.unsupported_method(call.method, path.id)
        return handlers[call.method](call)

    def _operation(self, call: ArmCall, is_result: bool) -> ArmResult:
        operation = self.state.operations.get(call.path.name())
        if operation is None:
            raise errors.operation_not_found(call.path.name())
        now = self.state.now()
        if not is_result:
            return ArmResult(
                200,
                operation.status_body(now, call.base_url),
                operation if operation.status(now) != "Succeeded" else None,
            )
        if operation.status(now) != "Succeeded":
            return ArmResult(202, None, operation)
        return ArmResult(200, operation.result) if operation.result is not None else ArmResult(204)


def lro_headers(
    operation: Operation, base_url: str, api_version: str, now: float, delay: float
) -> dict[str, str]:
    query = f"?api-version={api_version}"
    headers = {
        "Azure-AsyncOperation": base_url + operation.status_url() + query,
        "Location": base_url + operation.result_url() + query,
    }
    remaining = operation.remaining(now)
    if delay >= 1:
        headers["Retry-After"] = str(max(1, math.ceil(remaining)))
    else:
        headers["retry-after-ms"] = str(max(10, math.ceil(remaining * 1000)))
    return headers


def arm_routes_for(
    api: ArmApi, base_url_of: Callable[[Request], str], request_limits: RequestLimits | None = None
) -> list[BaseRoute]:
    state = api.state
    bounds = request_limits or RequestLimits()

    async def arm(request: Request) -> Response:
        try:
            check_bearer(
                request.headers.get("authorization"),
                strict=state.settings.strict_auth,
                now=time.time(),
                limits=bounds,
            )
            api_version = request.query_params.get("api-version")
            if not api_version:
                raise errors.missing_api_version()
            try:
                path = parse_arm_path(request_path(request.scope))
            except ArmPathError as exc:
                raise errors.invalid_body(str(exc)) from exc
            body = await _json_body(request, bounds)
            require_resource_group(state, path, request.method)  # ARM's checks before the provider's
            _refuse_what_the_spec_refuses(request, body)
            base_url = base_url_of(request)
            call = ArmCall(path, request.method, dict(request.query_params), body, base_url)
            result = api.handle(call)
        except EmulatorError as exc:
            request.state.error_code = exc.code
            return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
        headers: dict[str, str] = {"x-ms-request-id": str(uuid.uuid4()), **result.headers}
        if result.operation is not None:
            headers.update(
                lro_headers(
                    result.operation, base_url, api_version, state.now(), state.settings.lro_delay_seconds
                )
            )
        if request.method == "HEAD":
            return Response(status_code=204 if result.status == 200 else result.status, headers=headers)
        if result.body is None:
            return Response(status_code=result.status, headers=headers)
        return JSONResponse(result.body, status_code=result.status, headers=headers)

    async def resources(request: Request) -> Response:
        return JSONResponse({"value": api.generic.all_resources(base_url_of(request))})

    async def quota(request: Request) -> Response:
        if request.method == "PUT":
            try:
                update = parse_quota(await read_admin_json(request, bounds, '{"eastus2": {"<usage>": 10}}'))
            except EmulatorError as exc:
                body = {"error": {"code": exc.code or "BadRequest", "message": exc.message}}
                return JSONResponse(body, status_code=exc.status if exc.status != 500 else 400)
            with state.store.lock:
                for region, limits in update.items():
                    state.quota.setdefault(region, {}).update(limits)
        with state.store.lock:
            return JSONResponse({"quota": state.quota})

    async def reset(request: Request) -> Response:
        state.reset()
        return Response(status_code=204)

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            shape = '{"account": "<name>", "requestConflicts": 1}'
            try:
                account, count = parse_conflict_fault(await read_admin_json(request, bounds, shape))
            except EmulatorError as exc:
                error = {"error": {"code": exc.code, "message": exc.message}}
                return JSONResponse(error, status_code=exc.status)
            except ValueError as exc:
                return JSONResponse({"error": {"code": "BadRequest", "message": str(exc)}}, status_code=400)
            with state.store.lock:
                if count:
                    state.request_conflicts[account] = count
                else:
                    state.request_conflicts.pop(account, None)
        elif request.method == "DELETE":
            with state.store.lock:
                state.request_conflicts.clear()
        with state.store.lock:
            return JSONResponse({"requestConflicts": dict(state.request_conflicts)})

    async def releases(request: Request) -> Response:
        # Not Azure: publishes a model version the way Azure does, so a rollout can be tried locally.
        if request.method == "POST":
            shape = '{"model": "gpt-image-1.5", "version": "2026-03-10"}'
            try:
                body = await read_admin_json(request, bounds, shape)
                with state.store.lock:
                    release = parse_release(body, state.base_offers or state.offers)
                    state.release(release)
            except EmulatorError as exc:
                error = {"error": {"code": exc.code, "message": exc.message}}
                return JSONResponse(error, status_code=exc.status)
            except ReleaseError as exc:
                return JSONResponse({"error": {"code": "BadRequest", "message": str(exc)}}, status_code=400)
            return JSONResponse({"release": release.to_json()}, status_code=201)
        with state.store.lock:
            if request.method == "DELETE":
                state.set_releases(())
            return JSONResponse({"releases": [r.to_json() for r in state.releases]})

    return [
        Route("/subscriptions/{rest:path}", arm, methods=METHODS),
        Route("/_emulator/arm/releases", releases, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/arm/resources", resources, methods=["GET"]),
        Route("/_emulator/arm/quota", quota, methods=["GET", "PUT"]),
        Route("/_emulator/arm/reset", reset, methods=["POST"]),
        Route("/_emulator/arm/faults", faults, methods=["GET", "PUT", "DELETE"]),
    ]


def parse_conflict_fault(body: Any) -> tuple[str, int]:
    """``{"account": name, "requestConflicts": N}`` -> (lower-case account, N); ValueError says the fix."""
    shape = 'send {"account": "<account name or subdomain>", "requestConflicts": <0..1000>}'
    if not isinstance(body, dict) or set(body) - {"account", "requestConflicts"}:
        raise ValueError(f"The fault body is not valid; {shape}.")
    account, count = body.get("account"), body.get("requestConflicts")
    if not isinstance(account, str) or not account.strip():
        raise ValueError(f"account is missing; {shape}.")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000:
        raise ValueError(f"requestConflicts must be an integer from 0 to 1000; {shape}.")
    return account.strip().lower(), count


def _refuse_what_the_spec_refuses(request: Request, body: dict[str, Any]) -> None:
    """ARM checks names and bodies against the resource provider's spec before the provider sees them."""
    if request.method not in ("PUT", "PATCH", "POST"):
        return
    if not _encodable(body):
        # A lone surrogate escape (\ud800) parses as JSON but is no text: refused, never stored or echoed.
        raise errors.invalid_request_content("a string is not valid Unicode text.")
    # The raw path keeps %2F and %00 inside one segment, as ARM sees the name the client meant.
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    judge = default_judge()
    op, problems = judge.judge_request(request.method, path, dict(request.query_params), body or None)
    names = dict(op.params) if op is not None else {}
    for problem in problems:
        if problem.name is not None:
            raise (
                errors.invalid_account_name()
                if problem.name == "accountName"
                else errors.invalid_resource_name(problem.value or "")
            )
    deployment = names.get("deploymentName")
    if deployment is not None and not _child_name_ok(deployment):
        raise errors.invalid_resource_name(deployment)
    if problems:
        raise errors.invalid_request_content(problems[0].message)


def _encodable(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_encodable(v) for v in value)
    return True


def _child_name_ok(name: str) -> bool:
    # The spec gives deployments no pattern; the siblings' pattern and length apply (emulator/facts.py).
    return 1 <= len(name) <= facts.CHILD_NAME_MAX and re.fullmatch(facts.CHILD_NAME_PATTERN, name) is not None


async def _json_body(request: Request, limits: RequestLimits) -> dict[str, Any]:
    if request.method not in ("PUT", "PATCH", "POST"):
        return {}
    cap = limits.arm_max_body_bytes
    try:
        raw = await read_bounded(request, cap)
        if not raw.strip():
            return {}
        body = parse_json(raw, max_bytes=cap, max_depth=limits.json_max_depth)
    except JsonRejected as exc:
        if exc.too_large:
            raise errors.body_too_large(cap) from None
        raise errors.invalid_body(
            f"The request content was invalid and could not be deserialized: {exc.reason}."
        ) from None
    if not isinstance(body, dict):
        raise errors.invalid_body("The request content must be a JSON object.")
    return body
