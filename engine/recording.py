"""Run the program under Pulumi's mock runtime and record what it declares (tests and benchmarks).

``AzureMocks`` answers the way Azure Resource Manager does for the resources imagegate uses: ``name`` from
the ``<x>Name`` input, an ARM-shaped ``id``, the account's ``properties.endpoint(s)``, the client-config
call. ``RecordingMonitor`` adds what mocks cannot see (parent, dependencies, protect, timeouts) and the
order of registration. ``run_program(config)`` evaluates one stack and returns outputs plus records; it
can be called for several stacks in one process. Resource ids come from the same table of resource types
the local engine applies (``engine.resource_map.ARM_TYPES``); the evaluation from ``engine.mock_runtime``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

from engine.mock_runtime import evaluate
from engine.resource_map import ARM_TYPES
from infra.config import StackConfig
from infra.naming import OPENAI_ENDPOINT_KEY

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa"
DEFAULT_TENANT = "00000000-0000-0000-0000-0000000000bb"
CLIENT_CONFIG_TOKEN = "azure-native:authorization:getClientConfig"

@dataclass(frozen=True)
class SeenOptions:
    parent: str
    dependencies: tuple[str, ...]
    protect: bool
    custom_timeouts: Mapping[str, str]


@dataclass(frozen=True)
class RecordedResource:
    order: int
    type: str
    name: str
    custom: bool
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    id: str
    urn: str = ""
    options: SeenOptions = field(default_factory=lambda: SeenOptions("", (), False, {}))


def name_input(resource_type: str) -> str:
    known = ARM_TYPES.get(resource_type)
    if known is not None:
        return known.name_param
    short = resource_type.rsplit(":", 1)[-1]
    return short[:1].lower() + short[1:] + "Name"


def arm_id(resource_type: str, name: str, inputs: Mapping[str, Any], subscription_id: str) -> str:
    """The resource's ARM id, from its type's path in the engine's table and its inputs."""
    known = ARM_TYPES.get(resource_type)
    template = known.path if known else "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}" \
        "/providers/mock/{name}"
    fields = {
        "subscriptionId": subscription_id,
        "resourceGroupName": "unknown-rg",
        **inputs,
        name_input(resource_type): name,
        "name": name,
    }
    return template.format_map(_Blank(fields))


class AzureMocks(pulumi.runtime.Mocks):
    """ARM-shaped answers for azure-native resources; ``endpoint_for(subdomain)`` overrides the OpenAI
    endpoint an account reports (the local engine points it at the emulator)."""

    def __init__(
        self,
        subscription_id: str = DEFAULT_SUBSCRIPTION,
        tenant_id: str = DEFAULT_TENANT,
        endpoint_for: Callable[[str], str] | None = None,
    ) -> None:
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self.endpoint_for = endpoint_for or (lambda subdomain: f"https://{subdomain}.openai.azure.com/")
        self.resources: list[RecordedResource] = []
        self.calls: list[tuple[str, Mapping[str, Any]]] = []
        self._pending: SeenOptions | None = None
        self._lock = threading.Lock()

    def call(self, args: MockCallArgs) -> dict:  # type: ignore[override]
        self.calls.append((args.token, dict(args.args)))
        if args.token == CLIENT_CONFIG_TOKEN:
            return {
                "clientId": "mock-client",
                "objectId": "00000000-0000-0000-0000-0000000000cc",
                "subscriptionId": self.subscription_id,
                "tenantId": self.tenant_id,
            }
        raise NotImplementedError(f"AzureMocks has no answer for the call {args.token}; add one.")

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        inputs = dict(args.inputs)
        if not args.custom:
            resource_id, outputs = "", {}
        else:
            outputs = self._outputs(args.typ, args.name, inputs)
            resource_id = outputs["id"]
        self.resources.append(
            RecordedResource(
                order=len(self.resources),
                type=args.typ,
                name=args.name,
                custom=bool(args.custom),
                inputs=inputs,
                outputs=outputs,
                id=resource_id,
                options=self._pending or SeenOptions("", (), False, {}),
            )
        )
        return resource_id, outputs

    def _outputs(self, resource_type: str, logical_name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        outputs = dict(inputs)
        outputs["name"] = inputs.get(name_input(resource_type)) or logical_name
        outputs["id"] = arm_id(resource_type, outputs["name"], inputs, self.subscription_id)
        properties = dict(inputs.get("properties") or {})
        if resource_type in ARM_TYPES:
            properties.setdefault("provisioningState", "Succeeded")
        if resource_type == "azure-native:cognitiveservices:Account":
            subdomain = properties.get("customSubDomainName") or outputs["name"]
            properties["endpoint"] = f"https://{subdomain}.cognitiveservices.azure.com/"
            properties["endpoints"] = {
                OPENAI_ENDPOINT_KEY: self.endpoint_for(subdomain),
                "Azure AI Model Inference API": f"https://{subdomain}.services.ai.azure.com/",
            }
            outputs["identity"] = {
                **inputs.get("identity", {}),
                "principalId": "mock-principal",
                "tenantId": self.tenant_id,
            }
        if resource_type == "azure-native:apimanagement:ApiManagementService":
            # What Azure reports for a service: its gateway host and the system identity's principal.
            outputs["gatewayUrl"] = f"https://{outputs['name']}.azure-api.net"
            outputs["identity"] = {
                **inputs.get("identity", {}),
                "principalId": "mock-gateway-principal",
                "tenantId": self.tenant_id,
            }
        if properties:
            outputs["properties"] = properties
        return outputs


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return f"unknown-{key}"


class RecordingMonitor(MockMonitor):
    """A mock monitor that hands each registration's options to :class:`AzureMocks` as it records it."""

    mocks: AzureMocks

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        timeouts = request.customTimeouts
        seen = SeenOptions(
            parent=request.parent,
            dependencies=tuple(request.dependencies),
            protect=bool(request.protect),
            custom_timeouts={
                k: v
                for k, v in (
                    ("create", timeouts.create),
                    ("update", timeouts.update),
                    ("delete", timeouts.delete),
                )
                if v
            },
        )
        # Registrations arrive on executor threads; the lock keeps options paired with their resource.
        with self.mocks._lock:
            self.mocks._pending = seen
            try:
                response = super().RegisterResource(request)
            finally:
                self.mocks._pending = None
            if self.mocks.resources and self.mocks.resources[-1].urn == "" and response.urn:
                last = self.mocks.resources[-1]
                self.mocks.resources[-1] = RecordedResource(**{**last.__dict__, "urn": response.urn})
        return response


@dataclass(frozen=True)
class ProgramRun:
    outputs: Mapping[str, Any]
    resources: tuple[RecordedResource, ...]
    calls: tuple[tuple[str, Mapping[str, Any]], ...]

    def of_type(self, resource_type: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == resource_type]

    def named(self, logical_name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == logical_name]
        if len(matches) != 1:
            raise LookupError(f"expected one resource named {logical_name!r}, found {len(matches)}")
        return matches[0]

    def dependency_names(self, resource: RecordedResource) -> set[str]:
        by_urn = {r.urn: r.name for r in self.resources}
        return {by_urn.get(urn, urn) for urn in resource.options.dependencies}

    def parent_of(self, resource: RecordedResource) -> RecordedResource | None:
        return next((r for r in self.resources if r.urn and r.urn == resource.options.parent), None)


def run_program(
    config: StackConfig,
    mocks: AzureMocks | None = None,
    program: Callable[[StackConfig], Mapping[str, Any]] | None = None,
) -> ProgramRun:
    """Evaluate ``program`` (default :func:`infra.program.build`) for one stack with ``preview=False``."""
    from infra.program import build

    mocks = mocks or AzureMocks()
    chosen = program or build
    outputs = evaluate(lambda: chosen(config), mocks, stack=config.stack, monitor=RecordingMonitor(mocks))
    return ProgramRun(outputs=outputs, resources=tuple(mocks.resources), calls=tuple(mocks.calls))
