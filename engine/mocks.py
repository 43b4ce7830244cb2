"""Pulumi mocks that apply each declared resource to ARM instead of inventing its outputs.

The mock monitor calls ``new_resource`` once a resource's inputs and ``depends_on`` have resolved, so
calls arrive in the program's dependency order; it may call from several threads at once for independent
resources, so one lock makes the whole apply strictly one-at-a-time (deployments of an account must never
overlap, or ARM answers RequestConflict). After the first failure every later resource is refused
without touching ARM, leaving what was applied before in place.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from engine.applier import Applier
from engine.arm_client import ArmClient
from engine.errors import ArmError, EngineError
from engine.identity import Identity
from engine.resource_map import (
    ArmRequest,
    arm_type_for,
    is_azure_resource,
    to_arm_request,
    to_pulumi_outputs,
)

ACCOUNT = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
RESOURCE_GROUP_API = "2024-03-01"


class ArmMocks(Mocks):
    """Resource registrations become ARM PUTs; invokes the program makes are answered from ARM too."""

    def __init__(self, applier: Applier, arm: ArmClient, identity: Identity, location: str) -> None:
        self._applier = applier
        self._arm = arm
        self._identity = identity
        self._location = location
        self._lock = threading.Lock()
        self.failure: EngineError | None = None
        # ARM ids of applied accounts and deployments, for pruning deployments the config dropped.
        self.accounts: list[str] = []
        self.deployments: list[str] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not is_azure_resource(args.typ):
            # Components and provider instances exist only in Pulumi's graph.
            return f"{args.name}-id", dict(args.inputs)
        with self._lock:
            if self.failure is not None:
                raise EngineError(f"{args.name} was not applied because an earlier resource failed.")
            try:
                return self._apply(args)
            except EngineError as exc:
                self.failure = exc
                raise

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "clientId": self._identity.client_id,
                "objectId": self._identity.object_id,
                "subscriptionId": self._identity.subscription_id,
                "tenantId": self._identity.tenant_id,
            }, []
        if args.token == "azure-native:resources:getResourceGroup":
            name = str(args.args.get("resourceGroupName", ""))
            path = f"/subscriptions/{self._identity.subscription_id}/resourceGroups/{name}"
            with self._lock:
                found = self._arm.get(path, RESOURCE_GROUP_API)
            if found is None:
                message = f"Resource group '{name}' could not be found."
                missing = ArmError(404, "ResourceGroupNotFound", message)
                self.failure = missing
                raise missing
            return found, []
        unknown = EngineError(f"The local engine cannot answer the invoke {args.token}; teach ArmMocks.call.")
        self.failure = unknown
        raise unknown

    def _apply(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.resource_id:
            return self._read(args)
        request = to_arm_request(
            args.typ,
            args.name,
            args.inputs,
            subscription_id=self._identity.subscription_id,
            location=self._location,
        )
        answer = self._applier.apply(request)
        self._remember(request)
        return str(answer.get("id") or request.path), _outputs(request, args.inputs, answer)

    def _read(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """A ``Resource.get`` of an existing resource: read it from ARM, change nothing."""
        api_version = arm_type_for(args.typ).api_version
        found = self._arm.get(str(args.resource_id), api_version)
        if found is None:
            raise ArmError(404, "ResourceNotFound", f"{args.resource_id} does not exist.", args.name)
        return str(args.resource_id), to_pulumi_outputs(args.typ, args.inputs, found)

    def _remember(self, request: ArmRequest) -> None:
        if request.token == ACCOUNT:
            self.accounts.append(request.path)
        elif request.token == DEPLOYMENT:
            self.deployments.append(request.path)

    def declared_deployments(self, account_id: str) -> set[str]:
        prefix = f"{account_id}/deployments/".lower()
        return {path.rsplit("/", 1)[-1] for path in self.deployments if path.lower().startswith(prefix)}


def _outputs(request: ArmRequest, inputs: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    outputs = to_pulumi_outputs(request.token, inputs, answer)
    outputs.setdefault("name", request.path.rsplit("/", 1)[-1])
    outputs.setdefault("id", request.path)
    return outputs
