"""The account data plane's HTTP routes: dated and v1 image generate/edit under ``/accounts/<subdomain>/``.

Thin: each route reads the URL, headers and body, then calls the auth functions, the limiter, the fault
store and the images provider. Errors are raised as ``EmulatorError`` and rendered by the app's one handler.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from emulator import facts
from emulator.accounts import AccountSpec
from emulator.auth import authenticate
from emulator.errors import (
    EmulatorError,
    api_version_not_supported,
    deployment_not_found,
    invalid_request,
    output_filtered,
    rate_limited,
    resource_not_found,
    unrecognized_argument,
    unsupported_media_type,
)
from emulator.images import EDIT, GENERATE, ImagesProvider, require_model_field
from emulator.jsonbody import JsonRejected
from emulator.limits import RequestLimits
from emulator.multipart import EditInputs, Limits, Part, split_parts
from emulator.requestbody import capped_receive, check_declared_length, read_json_value
from emulator.state import EmulatorState

V1_VERSIONS = frozenset({"v1", "preview", "latest"})
FIRST_IMAGE_VERSION = "2025-04-01"
MAX_TEXT_PART_BYTES = 1024 * 1024
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
_OPERATION_NAMES = {GENERATE: "ImageGenerations_Create", EDIT: "ImageEdits_Create"}
_DATA_ACTIONS = {
    GENERATE: "Microsoft.CognitiveServices/accounts/OpenAI/images/generations/action",
    EDIT: "Microsoft.CognitiveServices/accounts/OpenAI/images/edits/action",
}
_BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
    "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)


class BodyTooLarge(EmulatorError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413, "RequestEntityTooLarge", f"The request body is larger than {limit} bytes; send less."
        )


def check_api_version(version: str | None, *, v1: bool, allowed: tuple[str, ...] | None) -> str:
    """The effective api-version, or Azure's 404 (missing on a dated route) / 400 (unknown)."""
    if v1:
        if version is None or version in V1_VERSIONS:
            return "v1"
        raise api_version_not_supported()
    if version is None:
        raise resource_not_found()
    supported = (
        version in allowed
        if allowed is not None
        else (bool(_DATED.match(version)) and version[:10] >= FIRST_IMAGE_VERSION)
    )
    if not supported:
        raise api_version_not_supported()
    return version


def _check_json_type(request: Request) -> None:
    # Azure (OpenAI's front end) parses a generate body only when it is declared as JSON.
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise invalid_request(
            f"Invalid Content-Type header ({content_type[:100] or 'none'}), expected application/json.",
            param=None,
            code="invalid_content_type",
        )


async def read_json(request: Request, limits: RequestLimits) -> dict[str, Any]:
    _check_json_type(request)
    cap = limits.json_max_bytes
    try:
        data = await read_json_value(request, cap=cap, max_depth=limits.json_max_depth)
    except JsonRejected as exc:
        if exc.too_large:
            raise BodyTooLarge(cap) from None
        raise invalid_request(f"{_BAD_JSON} ({exc.reason.capitalize()}.)", param=None, code=None) from None
    if not isinstance(data, dict):
        raise invalid_request(
            "Invalid type for request body: expected an object.", param=None, code="invalid_type"
        )
    return data


async def read_form(
    request: Request, limits: Limits, request_limits: RequestLimits, decodes: anyio.CapacityLimiter
) -> tuple[dict[str, str], EditInputs]:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise unsupported_media_type(content_type[:100] or "none")
    cap = request_limits.multipart_max_bytes
    try:
        check_declared_length(request, cap)
    except JsonRejected:
        raise BodyTooLarge(cap) from None
    capped = Request(request.scope, capped_receive(request.receive, cap))
    parts: list[Part] = []
    most = request_limits.multipart_max_parts
    try:
        async with capped.form(max_files=most, max_fields=most, max_part_size=MAX_TEXT_PART_BYTES) as form:
            for name, value in form.multi_items():
                if isinstance(value, str):
                    parts.append(Part(name=name, text=value))
                else:
                    data = await value.read()
                    parts.append(
                        Part(name, data=data, filename=value.filename, content_type=value.content_type)
                    )
    except EmulatorError:
        raise
    except JsonRejected:
        raise BodyTooLarge(cap) from None
    except Exception as exc:  # malformed or truncated multipart from python-multipart / Starlette
        raise invalid_request(
            "Could not parse the multipart form data; send a complete multipart/form-data body.",
            param=None,
            code="invalid_multipart",
        ) from exc
    return await anyio.to_thread.run_sync(split_parts, parts, limits, limiter=decodes)


def _sse(events: Iterator[tuple[str, dict[str, Any]]]) -> Iterator[bytes]:
    for name, data in events:
        yield f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


class ImageRoutes:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        config = state.settings.config
        self.provider = ImagesProvider(
            state.catalog, state.images, accept_webp=config.accept_webp, realistic=config.realistic_images
        )
        self.request_limits = config.limits
        self.limits = Limits(
            config.max_image_bytes,
            config.max_mask_bytes,
            config.accept_webp,
            max_pixels=config.limits.max_pixels_per_request,
        )
        # Decoding and painting hold the decoded pixels; a few at a time keeps memory bounded.
        self.decodes = anyio.CapacityLimiter(config.limits.concurrent_image_decodes)

    async def handle(self, request: Request, operation: str, v1: bool) -> Response:
        subdomain = request.path_params["subdomain"]
        account = self.state.registry.get(subdomain)
        if account is None:
            raise resource_not_found()
        request.state.subdomain = subdomain
        request.state.region = account.region
        request.state.operation = operation
        if not v1:
            request.state.deployment = request.path_params["deployment"]
        try:
            return await self._answer(request, account, operation, v1)
        except EmulatorError:
            self._report_window(request, account)
            raise

    def _report_window(self, request: Request, account: AccountSpec) -> None:
        """Answers refused before admission still carry the deployment's x-ratelimit-* headers."""
        if getattr(request.state, "ratelimit", None) is not None:
            return
        deployment = account.deployments.get(getattr(request.state, "deployment", None) or "")
        if deployment is not None:
            key = (account.subdomain, deployment.name)
            request.state.ratelimit = self.state.limiter.peek(key, self.state.rpm(deployment.capacity))

    async def _answer(self, request: Request, account: AccountSpec, operation: str, v1: bool) -> Response:
        state, provider = self.state, self.provider
        subdomain = account.subdomain
        version = check_api_version(
            request.query_params.get("api-version"), v1=v1, allowed=state.settings.config.api_versions
        )
        route = request.url.path.removeprefix(f"/accounts/{subdomain}")
        authenticate(
            request.headers,
            account,
            v1=v1,
            route=route,
            action=_DATA_ACTIONS[operation],
            now=time.time(),
            limits=self.request_limits,
        )

        inputs: EditInputs | None = None
        fields: dict[str, Any]
        if operation == EDIT:
            fields, inputs = await read_form(request, self.limits, self.request_limits, self.decodes)
        else:
            fields = await read_json(request, self.request_limits)
        if not v1 and "stream" in fields and version in facts.NO_STREAMING_API_VERSIONS:
            # The 2025-04-01-preview spec declares no stream for images: Azure refuses the argument.
            raise unrecognized_argument("stream")
        name = require_model_field(fields) if v1 else request.path_params["deployment"]
        request.state.deployment = name
        deployment = account.deployments.get(name)
        if deployment is None:
            raise deployment_not_found()
        request.state.model = deployment.model
        request.state.model_version = deployment.version

        decision = state.limiter.acquire((subdomain, name), state.rpm(deployment.capacity))
        request.state.ratelimit = decision
        if not decision.allowed:
            raise rate_limited(_OPERATION_NAMES[operation], version, decision.retry_after_ms)
        outcome = state.faults.draw(subdomain, name, deployment.created_at)
        if outcome.delay:
            await asyncio.sleep(outcome.delay)
        if outcome.hang:
            # A hang ends early when faults are cleared or the emulator is reset, then answers normally.
            with anyio.move_on_after(outcome.hang):
                await state.release_event().wait()
        if outcome.error is not None:
            raise outcome.error
        if outcome.throttle_ms is not None:
            raise rate_limited(_OPERATION_NAMES[operation], version, outcome.throttle_ms)

        rules = provider.rules_for(deployment, operation)
        image_request = provider.validate(rules, fields, operation, from_form=operation == EDIT)
        provider.screen_prompt(account, image_request.prompt)
        if outcome.filter_output:
            raise output_filtered()
        if image_request.stream:
            events = provider.stream(deployment, image_request, operation, inputs)
            return StreamingResponse(
                _sse(events), media_type="text/event-stream", headers={"cache-control": "no-cache"}
            )
        answer = await anyio.to_thread.run_sync(
            provider.answer, deployment, image_request, inputs, limiter=self.decodes if inputs else None
        )
        return JSONResponse(answer.to_json())

    async def dated_generations(self, request: Request) -> Response:
        return await self.handle(request, GENERATE, v1=False)

    async def dated_edits(self, request: Request) -> Response:
        return await self.handle(request, EDIT, v1=False)

    async def v1_generations(self, request: Request) -> Response:
        return await self.handle(request, GENERATE, v1=True)

    async def v1_edits(self, request: Request) -> Response:
        return await self.handle(request, EDIT, v1=True)


async def _not_found(request: Request) -> Response:
    raise resource_not_found()


def dataplane_routes(state: EmulatorState) -> list[Route]:
    """The data plane under ``/accounts/<subdomain>/``; anything else there is Azure's 404."""
    images = ImageRoutes(state)
    base = "/accounts/{subdomain}/openai"
    everything = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return [
        Route(
            base + "/deployments/{deployment}/images/generations", images.dated_generations, methods=["POST"]
        ),
        Route(base + "/deployments/{deployment}/images/edits", images.dated_edits, methods=["POST"]),
        Route(base + "/v1/images/generations", images.v1_generations, methods=["POST"]),
        Route(base + "/v1/images/edits", images.v1_edits, methods=["POST"]),
        Route("/accounts/{subdomain}/{rest:path}", _not_found, methods=everything),
    ]
